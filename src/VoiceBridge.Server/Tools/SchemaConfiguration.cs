using System.Globalization;
using System.Text;
using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Rebuilds a JSON Schema written as a nested configuration section. Configuration flattens JSON into string keys
/// (<c>Parameters:required:0</c>), losing arrays, numbers and booleans; the schema keywords tell them apart again:
/// numeric-index children are arrays, <c>additionalProperties: false</c> is a boolean, <c>minimum</c> a number, and
/// <c>enum</c> values take the type the schema declares.
/// </summary>
internal static class SchemaConfiguration
{
    private static readonly HashSet<string> NumberKeywords = new(StringComparer.Ordinal)
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "multipleOf",
    };

    /// <summary>The schema as JSON text, or null when the section is empty.</summary>
    public static string? ToJson(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        if (!section.GetChildren().Any())
        {
            return null;
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteSchema(writer, section);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteSchema(Utf8JsonWriter writer, IConfigurationSection schema)
    {
        writer.WriteStartObject();
        var type = schema["type"];
        foreach (var child in schema.GetChildren())
        {
            writer.WritePropertyName(child.Key);
            switch (child.Key)
            {
                case "properties":
                    writer.WriteStartObject();
                    foreach (var property in child.GetChildren())
                    {
                        writer.WritePropertyName(property.Key);
                        WriteSchema(writer, property);
                    }

                    writer.WriteEndObject();
                    break;
                case "items":
                    WriteSchema(writer, child);
                    break;
                case "additionalProperties" when Scalar(child) is { } flag:
                    writer.WriteBooleanValue(bool.Parse(flag));
                    break;
                case "additionalProperties":
                    WriteSchema(writer, child);
                    break;
                case "enum" or "default" or "const":
                    WriteValue(writer, child, type);
                    break;
                default:
                    if (NumberKeywords.Contains(child.Key) && Scalar(child) is { } number)
                    {
                        writer.WriteNumberValue(decimal.Parse(number, CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        WriteValue(writer, child, null);
                    }

                    break;
            }
        }

        writer.WriteEndObject();
    }

    // Some providers give a parent key an empty value next to its children (seen with host settings such as
    // "required:0"): a section with children is a container whatever its value.
    private static string? Scalar(IConfigurationSection section) => section.GetChildren().Any() ? null : section.Value;

    // A plain value or an array of them; typed by the schema's declared type when it has one.
    private static void WriteValue(Utf8JsonWriter writer, IConfigurationSection node, string? type)
    {
        if (Scalar(node) is { } scalar)
        {
            switch (type)
            {
                case "integer" or "number":
                    writer.WriteNumberValue(decimal.Parse(scalar, CultureInfo.InvariantCulture));
                    break;
                case "boolean":
                    writer.WriteBooleanValue(bool.Parse(scalar));
                    break;
                default:
                    writer.WriteStringValue(scalar);
                    break;
            }

            return;
        }

        var children = node.GetChildren().ToList();
        if (children.Count > 0 && children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            writer.WriteStartArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                WriteValue(writer, child, type);
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteStartObject();
        foreach (var child in children)
        {
            writer.WritePropertyName(child.Key);
            WriteValue(writer, child, null);
        }

        writer.WriteEndObject();
    }
}
