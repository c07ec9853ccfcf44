using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Built-in <c>end_call</c>: the model calls it when the conversation is over; the bridge asks it to say goodbye and
/// closes the stream once the goodbye has been heard (its last mark echoed), which ends the Twilio call.
/// </summary>
internal sealed class EndCallTool : ITool
{
    public const string ToolName = "end_call";

    private static readonly JsonElement Schema = JsonDocument.Parse(
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why the call ends, in a few words."}},"additionalProperties":false}""").RootElement;

    public string Name => ToolName;

    public string Description =>
        "End the phone call. Call it when the caller says goodbye or the conversation is complete. After calling it, say a short goodbye; the call ends once it has been heard.";

    public JsonElement Parameters => Schema;

    public ValueTask<ToolResult> InvokeAsync(ToolCall call, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolResult(ToolResult.Json(("status", "ending"), ("next", "Say a short goodbye now; the call ends after it.")))
        {
            After = AfterReply.HangUp,
        });
}
