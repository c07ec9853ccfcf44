using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The one hook through which every control action (instructions, say, hang-up, transfer, outbound call) is audited
/// with who asked: a <c>bridge.control</c> decision in the call's hash-chained trail, and a log line.
/// </summary>
internal static partial class ControlAudit
{
    /// <summary>Audits an action on a live call.</summary>
    public static void Record(ILogger logger, ILiveCall call, ControlAction action)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(action);
        call.RecordControl(action.Action, action.AdminKeyId, action.Detail);
        Log(logger, call.CallId ?? "(starting)", action);
    }

    /// <summary>An action with no live call yet (an outbound call being placed): logged; its trail starts with the call.</summary>
    public static void Log(ILogger logger, string callId, ControlAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        // The detail (a number, the length of a text) stays out of the log: logs carry no caller data.
        LogAction(logger, callId, action.Action, action.AdminKeyId);
    }

    [LoggerMessage(EventId = 1510, Level = LogLevel.Information, Message = "Call {CallId}: control action {Action} by admin key {AdminKeyId}")]
    private static partial void LogAction(ILogger logger, string callId, string action, string adminKeyId);
}
