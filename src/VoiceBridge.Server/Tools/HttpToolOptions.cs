namespace VoiceBridge.Server.Tools;

/// <summary>One tool under <c>Tools:Http:{name}</c>: the model's function, answered by an HTTP endpoint.</summary>
internal sealed class HttpToolOptions
{
    /// <summary>Tells the model when to call it.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>Absolute http(s) URL. POST gets the arguments as a JSON body; GET gets them as query parameters.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>POST (default) or GET.</summary>
    public string Method { get; set; } = "POST";

    /// <summary>
    /// Request headers, for example <c>Authorization</c>. Values come from configuration, so secrets belong in user
    /// secrets or the environment (<c>Tools__Http__lookup_order__Headers__Authorization</c>), never in appsettings.json.
    /// </summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the endpoint has to answer before the model is told it did not.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// The JSON Schema of the arguments as JSON text. Filled from the nested <c>Parameters</c> section when that is
    /// used instead (appsettings.json can write the schema as a plain JSON object).
    /// </summary>
    public string? ParametersJson { get; set; }
}
