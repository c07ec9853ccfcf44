namespace VoiceBridge.Server.Audit;

/// <summary>
/// Record <c>audit.session</c>, the first after the header: how this call is recorded, so a reader can interpret the
/// rest (the recording's file and rate, what redaction was applied, the upstream audio format for audio durations).
/// </summary>
internal sealed record AuditSessionInfo(
    string Transport,
    string? Recording,
    int? RecordingRate,
    bool Redact,
    bool RedactDtmf,
    string UpstreamAudio);
