namespace VoiceBridge.Realtime.Audit;

/// <summary>The first line that does not verify.</summary>
/// <param name="Seq">The sequence number the line should have had (0 for the header).</param>
/// <param name="Line">1-based line number in the file.</param>
/// <param name="Reason">Why, for a person reading the verify output.</param>
public sealed record AuditBreak(long Seq, long Line, string Reason);
