namespace VoiceBridge.Server.Direct;

internal sealed partial class DirectCallLeg
{
    [LoggerMessage(EventId = 1740, Level = LogLevel.Information, Message = "Direct call {CallId} ({Transport}, caller {Caller}): attaching the sideband")]
    private static partial void LogStarted(ILogger logger, string callId, string transport, string caller);

    [LoggerMessage(EventId = 1741, Level = LogLevel.Warning, Message = "Direct call {CallId} ({Transport}): a client changed session fields the server fixes ({Paths}); re-asserting the policy (violation {Count})")]
    private static partial void LogPolicyOverridden(ILogger logger, string callId, string transport, string paths, int count);

    [LoggerMessage(EventId = 1742, Level = LogLevel.Information, Message = "Direct call {CallId} ({Transport}): hung up at the upstream, succeeded: {Succeeded}, HTTP status {Status}: {Detail}")]
    private static partial void LogHungUp(ILogger logger, string callId, string transport, bool succeeded, int? status, string detail);

    [LoggerMessage(EventId = 1743, Level = LogLevel.Debug, Message = "Direct call {CallId} ({Transport}) over; {Violations} policy violations")]
    private static partial void LogEnded(ILogger logger, string callId, string transport, int violations);
}
