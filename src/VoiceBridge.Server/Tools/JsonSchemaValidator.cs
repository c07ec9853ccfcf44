using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Checks tool arguments against the JSON Schema subset function tools use: <c>type</c> (string, number, integer,
/// boolean, array, object, null, or a list of them), <c>properties</c>, <c>required</c>, <c>enum</c>,
/// <c>additionalProperties</c> (boolean or schema) and <c>items</c>. Keywords outside the subset are ignored, as a
/// validator must ignore unknown keywords. The first violation is reported with its path, in words the model can act on.
/// </summary>
internal static class JsonSchemaValidator
{
    /// <summary>Null when <paramref name="value"/> satisfies <paramref name="schema"/>; otherwise what is wrong.</summary>
    public static string? Validate(JsonElement schema, JsonElement value) => Check(schema, value, "arguments");

    /// <summary>Null when <paramref name="schema"/> is a usable tool schema: an object schema within the subset's rules.</summary>
    public static string? CheckToolSchema(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return "the parameters schema must be a JSON object";
        }

        if (!schema.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
        {
            return "the parameters schema must have \"type\": \"object\"";
        }

        return CheckShape(schema, "parameters");
    }

    private static string? CheckShape(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            foreach (var name in TypeNames(type))
            {
                if (name is not ("string" or "number" or "integer" or "boolean" or "array" or "object" or "null"))
                {
                    return $"{path}: unknown type '{name}'";
                }
            }
        }

        if (schema.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                return $"{path}.properties must be an object";
            }

            foreach (var property in properties.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    return $"{path}.properties.{property.Name} must be a schema object";
                }

                if (CheckShape(property.Value, path + ".properties." + property.Name) is { } inner)
                {
                    return inner;
                }
            }
        }

        if (schema.TryGetProperty("required", out var required)
            && (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String)))
        {
            return $"{path}.required must be an array of property names";
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind != JsonValueKind.Array)
        {
            return $"{path}.enum must be an array";
        }

        if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
        {
            return CheckShape(items, path + ".items");
        }

        return null;
    }

    private static string? Check(JsonElement schema, JsonElement value, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            // true/absent schemas accept anything; false accepts nothing.
            return schema.ValueKind == JsonValueKind.False ? $"{path} is not allowed" : null;
        }

        if (schema.TryGetProperty("type", out var type) && !TypeNames(type).Any(name => IsOfType(value, name)))
        {
            return $"{path} must be of type {string.Join(" or ", TypeNames(type))}, got {Describe(value)}";
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(option => JsonElement.DeepEquals(option, value)))
        {
            return $"{path} must be one of {string.Join(", ", allowed.EnumerateArray().Select(o => o.GetRawText()))}";
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            return CheckObject(schema, value, path);
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (Check(items, item, $"{path}[{index++}]") is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static string? CheckObject(JsonElement schema, JsonElement value, string path)
    {
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    return $"{path}.{name.GetString()} is required";
                }
            }
        }

        var hasProperties = schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object;
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            var propertyPath = path + "." + property.Name;
            if (hasProperties && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                if (Check(propertySchema, property.Value, propertyPath) is { } error)
                {
                    return error;
                }
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                return $"{propertyPath} is not a known parameter";
            }
            else if (additional.ValueKind == JsonValueKind.Object && Check(additional, property.Value, propertyPath) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    private static IEnumerable<string> TypeNames(JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => [type.GetString()!],
        JsonValueKind.Array => type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!),
        _ => [],
    };

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        // 3.0 is an integer in JSON Schema (a number with a zero fractional part).
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) && decimal.Truncate(number) == number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Undefined => "nothing",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
