using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// A conversation item: <c>message</c> (role user/system/assistant with content parts), <c>function_call</c>
/// (name, call_id, arguments) or <c>function_call_output</c> (call_id, output string).
/// </summary>
public sealed record RealtimeItem : RealtimeJsonObject
{
    public const string MessageType = "message";
    public const string FunctionCallType = "function_call";
    public const string FunctionCallOutputType = "function_call_output";

    public string? Id { get; init; }

    public string? Type { get; init; }

    /// <summary><c>"realtime.item"</c> on GA server items.</summary>
    /// <summary>The <c>object</c> field ("realtime.item", "realtime.response", "realtime.session").</summary>
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    /// <summary>in_progress | completed | incomplete.</summary>
    public string? Status { get; init; }

    public string? Role { get; init; }

    public IReadOnlyList<RealtimeContentPart>? Content { get; init; }

    public string? Name { get; init; }

    public string? CallId { get; init; }

    /// <summary>function_call: the JSON arguments as a string.</summary>
    public string? Arguments { get; init; }

    /// <summary>function_call_output: free-form string (serialize JSON yourself).</summary>
    public string? Output { get; init; }

    /// <summary>A user text message (for example a DTMF digit turned into text).</summary>
    public static RealtimeItem UserText(string text) => new()
    {
        Type = MessageType,
        Role = "user",
        Content = [new RealtimeContentPart { Type = RealtimeContentPart.InputTextType, Text = text }],
    };

    /// <summary>A tool result for <paramref name="callId"/>.</summary>
    public static RealtimeItem FunctionCallOutput(string callId, string output) => new()
    {
        Type = FunctionCallOutputType,
        CallId = callId,
        Output = output,
    };
}
