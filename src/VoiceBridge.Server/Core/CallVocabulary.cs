namespace VoiceBridge.Server.Core;

/// <summary>
/// The names of end and drop reasons, one vocabulary for logs, metrics (<c>voicebridge.drop.reason</c>,
/// <c>voicebridge.end.reason</c>) and the audit trail (<c>bridge.end</c>, <c>bridge.drop</c>) alike: snake case, stable.
/// </summary>
internal static class CallVocabulary
{
    private static readonly string[] DropNames = BuildDropNames();

    public static string Name(this CallEndReason reason) => reason switch
    {
        CallEndReason.CallerHungUp => "caller_hung_up",
        CallEndReason.CallerClosed => "caller_closed",
        CallEndReason.PolicyViolation => "policy_violation",
        CallEndReason.MessageTooBig => "message_too_big",
        CallEndReason.CallerNotReading => "caller_not_reading",
        CallEndReason.UpstreamConnectFailed => "upstream_connect_failed",
        CallEndReason.UpstreamClosed => "upstream_closed",
        CallEndReason.ServerShutdown => "server_shutdown",
        CallEndReason.AuditBehind => "audit_behind",
        CallEndReason.EndedByBridge => "ended_by_bridge",
        CallEndReason.CallerFlooding => "caller_flooding",
        CallEndReason.AuditBudget => "audit_budget",
        CallEndReason.InternalError => "internal_error",
        CallEndReason.CallerAborted => "caller_aborted",
        _ => reason.ToString(),
    };

    /// <summary>The drop's name (cached: metrics tag it per frame).</summary>
    public static string Name(this CallDrop drop) => (uint)drop < (uint)DropNames.Length ? DropNames[(int)drop] : drop.ToString();

    private static string[] BuildDropNames()
    {
        var drops = Enum.GetValues<CallDrop>();
        var names = new string[drops.Length];
        foreach (var drop in drops)
        {
            names[(int)drop] = drop switch
            {
                CallDrop.BinaryFrame => "binary_frame",
                CallDrop.MalformedJson => "malformed_json",
                CallDrop.UnexpectedEvent => "unexpected_event",
                CallDrop.MissingField => "missing_field",
                CallDrop.InvalidBase64 => "invalid_base64",
                CallDrop.EmptyPayload => "empty_payload",
                CallDrop.WrongStreamSid => "wrong_stream_sid",
                CallDrop.BeforeStart => "before_start",
                CallDrop.Flood => "flood",
                CallDrop.UnknownMark => "unknown_mark",
                CallDrop.ClearedMark => "cleared_mark",
                CallDrop.InterruptedAudio => "interrupted_audio",
                CallDrop.MalformedUpstreamEvent => "malformed_upstream_event",
                CallDrop.BargeIn => "barge_in",
                CallDrop.TooBig => "message_too_big",
                CallDrop.InvalidValue => "invalid_value",
                CallDrop.AfterEnd => "after_end",
                CallDrop.InvalidDtmf => "invalid_dtmf",
                CallDrop.DuplicateKey => "duplicate_key",
                CallDrop.UpstreamAudioDropped => "upstream_audio_dropped",
                CallDrop.PolicyViolation => "policy_violation",
                _ => drop.ToString(),
            };
        }

        return names;
    }
}
