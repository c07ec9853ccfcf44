using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Sessions;

namespace VoiceBridge.Server.Browser;

internal sealed partial class BrowserCallSession
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Browser session {Id} started (client PCM in {InputRate} Hz, out {OutputRate} Hz)")]
    private static partial void LogStarted(ILogger logger, string id, int inputRate, int outputRate);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Browser session {Id} ended: {Reason} ({Detail}); {ErrorsSent} error events sent to the client, {DuplicateKeyEvents} events refused for repeated keys")]
    private static partial void LogEnded(ILogger logger, string id, CallEndReason reason, string detail, long errorsSent, long duplicateKeyEvents);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "Browser session {Id}: upstream connect failed ({Reason}): {Description}")]
    private static partial void LogUpstreamConnectFailed(ILogger logger, string id, UpstreamEndReason reason, string description);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Browser session {Id}: upstream ended ({Reason}): {Description}")]
    private static partial void LogUpstreamEnded(ILogger logger, string id, UpstreamEndReason reason, string description);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Error, Message = "Browser session {Id}: the upstream refused the server's session configuration; check the Upstream and Browser settings")]
    private static partial void LogPolicyRefused(ILogger logger, string id);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "Browser session {Id}: removed client field {Param} (server policy)")]
    private static partial void LogForbiddenField(ILogger logger, string id, string param);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Warning, Message = "Browser session {Id}: refusing input ({Drop}); further ones are only counted")]
    private static partial void LogRefused(ILogger logger, string id, CallDrop drop);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "Browser session {Id}: more than {MaxRefused} refused events within {WindowSeconds} s; closing the client (1008)")]
    private static partial void LogFlooding(ILogger logger, string id, int maxRefused, double windowSeconds);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "Browser session {Id}: client not reading ({Capacity} messages queued); closing")]
    private static partial void LogNotReading(ILogger logger, string id, int capacity);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Error, Message = "Browser session {Id} failed unexpectedly; ending it")]
    private static partial void LogFailed(ILogger logger, string id, Exception exception);
}
