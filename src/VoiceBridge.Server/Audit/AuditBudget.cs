namespace VoiceBridge.Server.Audit;

/// <summary>What one call may make the bridge write to its audit trail (from <see cref="AuditOptions"/>).</summary>
internal readonly record struct AuditBudget(int MaxRecordsPerCall, long MaxBytesPerCall, long MaxBytesPerMinute);
