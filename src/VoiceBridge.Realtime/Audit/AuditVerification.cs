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

    /// <summary>The key id a sealed trail names (version 2); null for an unsealed trail.</summary>
    public string? KeyId { get; init; }

    /// <summary>Whether the trail is sealed (its lines are HMAC-SHA256 under <see cref="KeyId"/>).</summary>
    public bool Sealed => KeyId is not null;
}
