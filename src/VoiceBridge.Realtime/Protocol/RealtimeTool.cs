using System.Text.Json;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>A function tool: <c>{"type":"function","name","description","parameters":&lt;JSON Schema&gt;}</c>.</summary>
public sealed record RealtimeTool : RealtimeJsonObject
{
    public string Type { get; init; } = "function";

    public string? Name { get; init; }

    public string? Description { get; init; }

    /// <summary>The JSON Schema of the arguments, kept as JSON.</summary>
    public JsonElement? Parameters { get; init; }
}
