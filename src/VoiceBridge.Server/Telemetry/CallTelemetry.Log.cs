namespace VoiceBridge.Server.Telemetry;

internal sealed partial class CallTelemetry
{
    // Event ids 1900-1999 belong to Telemetry/.
    [LoggerMessage(EventId = 1900, Level = LogLevel.Debug, Message = "Call {CallId} turn {Turn}: first audio after {FirstAudioMs:F0} ms (over budget: {OverBudget})")]
    private static partial void LogFirstAudio(ILogger logger, string callId, int turn, double firstAudioMs, bool overBudget);
}
