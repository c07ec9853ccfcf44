namespace VoiceBridge.Realtime.Audit;

/// <summary>One file's line of <c>voicebridge audit verify</c>.</summary>
/// <param name="Path">The file (as found, or as the index names it when it is missing).</param>
/// <param name="Verdict">Sealed, unsealed, live, interrupted or broken.</param>
/// <param name="Records">Records that verified.</param>
/// <param name="Detail">Why, for a person: the break, or what was checked.</param>
public sealed record AuditFileReport(string Path, AuditFileVerdict Verdict, long Records, string Detail);
