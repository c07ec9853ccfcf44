using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>A formatted line waiting for the next commit: where it sits in its call's pending bytes (LF excluded).</summary>
internal readonly record struct AuditPendingLine(long Seq, DateTimeOffset Timestamp, AuditDirection Direction, string Type, int Start, int Length);
