namespace VoiceBridge.Server.Browser;

internal sealed partial class RealtimeClientLeg
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Browser session {Id} started (client PCM in {InputRate} Hz, out {OutputRate} Hz)")]
    private static partial void LogStarted(ILogger logger, string id, int inputRate, int outputRate);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Browser session {Id} closed: {ErrorsSent} error events sent to the client, {DuplicateKeyEvents} events refused for repeated keys")]
    private static partial void LogEnded(ILogger logger, string id, long errorsSent, long duplicateKeyEvents);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Debug, Message = "Browser session {Id}: removed client field {Param} (server policy)")]
    private static partial void LogForbiddenField(ILogger logger, string id, string param);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "Browser session {Id}: client not reading ({Capacity} messages queued); closing")]
    private static partial void LogNotReading(ILogger logger, string id, int capacity);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Error, Message = "Browser session {Id} failed unexpectedly; ending it")]
    private static partial void LogFailed(ILogger logger, string id, Exception exception);
}
