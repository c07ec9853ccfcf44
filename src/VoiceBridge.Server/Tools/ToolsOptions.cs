using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VoiceBridge.Server.Tools;

/// <summary>Configuration section <c>Tools</c>: the functions the model may call, all run by the server.</summary>
internal sealed partial class ToolsOptions : IValidatableObject
{
    public const string SectionName = "Tools";

    /// <summary>Offer the built-in <c>end_call</c> (the assistant says goodbye, then the call ends).</summary>
    public bool EndCall { get; set; } = true;

    /// <summary>Offer the built-in <c>transfer_call</c>, which dials this number (E.164) after telling the caller; unset: not offered.</summary>
    public string? TransferNumber { get; set; }

    /// <summary>HTTP tools by function name.</summary>
    public Dictionary<string, HttpToolOptions> Http { get; } = new(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, tool) in Http)
        {
            var key = $"{SectionName}:Http:{name}";
            if (!ToolName().IsMatch(name))
            {
                yield return new ValidationResult($"{key}: a tool name must match ^[a-zA-Z0-9_-]{{1,64}}$.");
            }

            if (tool.Endpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme is not ("http" or "https"))
            {
                yield return new ValidationResult($"{key}:Endpoint must be an absolute http or https URL.");
            }

            if (!tool.Method.Equals("POST", StringComparison.OrdinalIgnoreCase) && !tool.Method.Equals("GET", StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"{key}:Method must be POST or GET.");
            }

            if (tool.TimeoutSeconds is < 0.1 or > 120)
            {
                yield return new ValidationResult($"{key}:TimeoutSeconds must be between 0.1 and 120.");
            }

            if (string.IsNullOrWhiteSpace(tool.Description))
            {
                yield return new ValidationResult($"{key}:Description is required: it is how the model knows when to call the tool.");
            }

            if (SchemaError(tool.ParametersJson) is { } schemaError)
            {
                yield return new ValidationResult($"{key}:Parameters: {schemaError}.");
            }
        }

        if (TransferNumber is { Length: > 0 } number && !PhoneNumber().IsMatch(number))
        {
            yield return new ValidationResult($"{SectionName}:TransferNumber must be an E.164 number such as +14155550199.");
        }
    }

    private static string? SchemaError(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "a JSON Schema object is required";
        }

        try
        {
            using var schema = JsonDocument.Parse(json);
            return JsonSchemaValidator.CheckToolSchema(schema.RootElement);
        }
        catch (JsonException ex)
        {
            return "not valid JSON (" + ex.Message + ")";
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ToolName();

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();
}
