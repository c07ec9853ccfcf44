using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Twilio;

internal sealed partial class TwilioLeg
{
    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Media stream refused: {Reason}")]
    private static partial void LogPolicyViolation(ILogger logger, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Media stream for call {CallSid} refused: call token {Status}")]
    private static partial void LogCallTokenRejected(ILogger logger, string callSid, CallTokenStatus status);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Information, Message = "Call {CallSid}: barge-in, truncating {ItemId} at {AudioEndMs} ms (clear sent: {Cleared})")]
    private static partial void LogBargeIn(ILogger logger, string callSid, string itemId, int audioEndMs, bool cleared);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Warning, Message = "Media stream for call {CallSid} refused: that call is already live (replayed webhook)")]
    private static partial void LogCallAlreadyLive(ILogger logger, string callSid);

    [LoggerMessage(EventId = 1216, Level = LogLevel.Error, Message = "Call {CallSid}: the Twilio leg failed unexpectedly; ending the call")]
    private static partial void LogFailed(ILogger logger, string callSid, Exception exception);
}
