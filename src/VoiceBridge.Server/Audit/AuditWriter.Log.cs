namespace VoiceBridge.Server.Audit;

internal sealed partial class AuditWriter
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Audit sink failing, retrying; new calls are refused until it recovers: {Failure}")]
    private static partial void LogFailing(ILogger logger, string failure);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Audit sink recovered after {Failures} failed attempt(s) in total")]
    private static partial void LogRecovered(ILogger logger, long failures);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Critical, Message = "Audit: records of {Calls} call(s) could not be written at shutdown: {Failure}")]
    private static partial void LogUnwritten(ILogger logger, int calls, string failure);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Audit:SigningKey is not set: trails are written unsealed (a plain hash chain anyone with write access can recompute). Set it outside Development; see docs/security-audit.md")]
    private static partial void LogUnsealed(ILogger logger);
}
