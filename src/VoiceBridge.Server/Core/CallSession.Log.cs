using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

internal sealed partial class CallSession
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Call {CallId} ({Transport}) started, stream {StreamId}, upstream audio {AudioFormat}")]
    private static partial void LogCallStarted(ILogger logger, string callId, string transport, string streamId, string audioFormat);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Call {CallId} ({Transport}) ended: {Reason} ({Detail})")]
    private static partial void LogCallEnded(ILogger logger, string callId, string transport, string reason, string detail);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "Call {CallId}: upstream connect failed ({Reason}, HTTP {HttpStatus}): {Description}")]
    private static partial void LogUpstreamConnectFailed(ILogger logger, string callId, UpstreamEndReason reason, int? httpStatus, string description);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Call {CallId}: upstream ended mid-call ({Reason}, close status {CloseStatus}): {Description}")]
    private static partial void LogUpstreamEnded(ILogger logger, string callId, UpstreamEndReason reason, int? closeStatus, string description);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Call {CallId} ({Transport}): ignoring input ({Drop}); further ones are only counted")]
    private static partial void LogDropped(ILogger logger, string callId, string transport, string drop);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Call {CallId} ({Transport}): upstream error {Code}")]
    private static partial void LogUpstreamError(ILogger logger, string callId, string transport, string code);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Warning, Message = "Call {CallId} ({Transport}): more than {MaxRefused} refused messages within {WindowSeconds} s; closing the caller (1008)")]
    private static partial void LogFlooding(ILogger logger, string callId, string transport, int maxRefused, double windowSeconds);

    [LoggerMessage(EventId = 1217, Level = LogLevel.Error, Message = "Call {CallId} ({Transport}): the upstream refused the server's session configuration; check the Upstream and Browser settings")]
    private static partial void LogPolicyRefused(ILogger logger, string callId, string transport);

    [LoggerMessage(EventId = 1218, Level = LogLevel.Error, Message = "Call {CallId} failed unexpectedly; ending it")]
    private static partial void LogFailed(ILogger logger, string callId, Exception exception);

    [LoggerMessage(EventId = 1219, Level = LogLevel.Error, Message = "Call {CallId}: an observer failed to finish (its trail or span may be incomplete)")]
    private static partial void LogObserverFailed(ILogger logger, string callId, Exception exception);
}
