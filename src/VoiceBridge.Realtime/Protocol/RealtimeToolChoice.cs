using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>tool_choice</c>: <c>"auto"</c> | <c>"none"</c> | <c>"required"</c>, or <c>{"type":"function","name":…}</c>.</summary>
[JsonConverter(typeof(RealtimeToolChoiceConverter))]
public sealed record RealtimeToolChoice
{
    /// <summary>The string form (auto/none/required); null when a specific function is forced.</summary>
    public string? Mode { get; init; }

    /// <summary>The forced function's name (object form).</summary>
    public string? FunctionName { get; init; }

    public static RealtimeToolChoice Auto => new() { Mode = "auto" };

    public static RealtimeToolChoice Function(string name) => new() { FunctionName = name };
}
