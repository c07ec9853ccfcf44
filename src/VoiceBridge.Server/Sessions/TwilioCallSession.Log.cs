using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Sessions;

internal sealed partial class TwilioCallSession
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Call {CallSid} started on stream {StreamSid}, upstream audio {AudioFormat}")]
    private static partial void LogCallStarted(ILogger logger, string callSid, string streamSid, string audioFormat);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Call {CallSid} ended: {Reason} ({Detail})")]
    private static partial void LogCallEnded(ILogger logger, string callSid, CallEndReason reason, string detail);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Media stream refused: {Reason}")]
    private static partial void LogPolicyViolation(ILogger logger, string reason);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Media stream for call {CallSid} refused: call token {Status}")]
    private static partial void LogCallTokenRejected(ILogger logger, string callSid, CallTokenStatus status);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Call {CallSid}: upstream connect failed ({Reason}, HTTP {HttpStatus}): {Description}")]
    private static partial void LogUpstreamConnectFailed(ILogger logger, string callSid, UpstreamEndReason reason, int? httpStatus, string description);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Call {CallSid}: upstream ended mid-call ({Reason}, close status {CloseStatus}): {Description}")]
    private static partial void LogUpstreamEnded(ILogger logger, string callSid, UpstreamEndReason reason, int? closeStatus, string description);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Call {CallSid}: ignoring input ({Drop}); further ones are only counted")]
    private static partial void LogDropped(ILogger logger, string callSid, CallDrop drop);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Information, Message = "Call {CallSid}: barge-in, truncating {ItemId} at {AudioEndMs} ms (clear sent: {Cleared})")]
    private static partial void LogBargeIn(ILogger logger, string callSid, string itemId, int audioEndMs, bool cleared);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Call {CallSid}: more than {MaxRefused} refused messages within {WindowSeconds} s; closing the caller (1008)")]
    private static partial void LogFlooding(ILogger logger, string callSid, int maxRefused, double windowSeconds);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Call {CallSid}: upstream error {Code} ({Type})")]
    private static partial void LogUpstreamError(ILogger logger, string callSid, string code, string type);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Warning, Message = "Media stream for call {CallSid} refused: that call is already live (replayed webhook)")]
    private static partial void LogCallAlreadyLive(ILogger logger, string callSid);
}
