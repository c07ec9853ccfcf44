namespace VoiceBridge.Realtime.Audit;

/// <summary>What <see cref="AuditVerifier"/> found in one call's trail.</summary>
/// <param name="Status">Complete, incomplete or broken.</param>
/// <param name="Records">Records that verified (the header not counted).</param>
/// <param name="CallId">From the header, when it verified.</param>
/// <param name="Break">The first line that failed; null unless <see cref="AuditFileStatus.Broken"/>.</param>
/// <param name="TornBytes">Bytes of an unfinished last line that were ignored.</param>
public sealed record AuditVerification(AuditFileStatus Status, long Records, string? CallId, AuditBreak? Break, int TornBytes)
{
    /// <summary>Last record's hash (lower-case hex), empty when nothing verified.</summary>
    public string LastHash { get; init; } = "";
}
