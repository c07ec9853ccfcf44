using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// Built-in <c>transfer_call</c> (offered when <c>Tools:TransferNumber</c> is set, phone calls only): the model tells
/// the caller they are being transferred, and once that has been heard the bridge redirects the Twilio call to the
/// configured number with a REST call update carrying <c>&lt;Dial&gt;</c> TwiML
/// (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).
/// </summary>
internal sealed class TransferCallTool(string number) : ITool
{
    public const string ToolName = "transfer_call";

    private static readonly JsonElement Schema = JsonDocument.Parse(
        """{"type":"object","properties":{"reason":{"type":"string","description":"Why the caller needs a person, in a few words."}},"additionalProperties":false}""").RootElement;

    public string Name => ToolName;

    public string Description =>
        "Transfer the caller to a human agent. Call it when the caller asks for a person or you cannot help. After calling it, tell the caller you are transferring them.";

    public JsonElement Parameters => Schema;

    public ValueTask<ToolResult> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Transport != "twilio")
        {
            return ValueTask.FromResult(ToolResult.Failure("Only phone calls can be transferred."));
        }

        return ValueTask.FromResult(new ToolResult(ToolResult.Json(("status", "transferring"), ("next", "Tell the caller you are transferring them now.")))
        {
            After = AfterReply.Transfer,
            TransferTo = number,
        });
    }
}
