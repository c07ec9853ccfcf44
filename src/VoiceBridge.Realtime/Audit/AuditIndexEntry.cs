namespace VoiceBridge.Realtime.Audit;

/// <summary>What the indexes say about one trail file (the last record naming it wins).</summary>
internal sealed record AuditIndexEntry(string CallId, string File, string Type, long Records, string Hash, string Index, bool IndexSealed, bool IndexClosed);
