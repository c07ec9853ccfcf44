namespace VoiceBridge.Server.Core;

/// <summary>What the session does when the caller starts speaking over the assistant.</summary>
/// <param name="SendClear">Audio is queued at the caller's side: tell it to drop it (Twilio <c>clear</c>).</param>
/// <param name="TruncateItemId">The assistant item being played, to be cut with <c>conversation.item.truncate</c>; null when none played.</param>
/// <param name="TruncateAtMs">The milliseconds of that item the caller had heard when the clear went out (a leg estimates it from what the caller reported playing).</param>
/// <param name="InterruptedResponseId">The response whose further audio is dropped, if one was still generating.</param>
internal readonly record struct BargeInDecision(
    bool SendClear,
    string? TruncateItemId,
    int TruncateAtMs,
    string? InterruptedResponseId)
{
    public bool IsNoOp => !SendClear && TruncateItemId is null && InterruptedResponseId is null;
}
