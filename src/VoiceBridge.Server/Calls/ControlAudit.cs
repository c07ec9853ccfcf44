namespace VoiceBridge.Server.Calls;

/// <summary>
/// The one hook through which every control action (instructions, say, hang-up, transfer, outbound call) is audited
/// with who asked. Today it writes a log line; the call's audit trail is being wired into the sessions separately.
/// </summary>
internal static partial class ControlAudit
{
    public static void Record(ILogger logger, string callId, ControlAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        // The detail (a transfer number, the length of a text) stays out of the log: logs carry no caller data.
        LogAction(logger, callId, action.Action, action.AdminKeyId);

        // TODO(audit wiring): once sessions expose their CallAudit, also record
        // audit.RecordDecision("control." + action.Action, action, CallsJsonContext.Default.ControlAction) on the call's trail.
    }

    [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "Call {CallId}: control action {Action} by admin key {AdminKeyId}")]
    private static partial void LogAction(ILogger logger, string callId, string action, string adminKeyId);
}
