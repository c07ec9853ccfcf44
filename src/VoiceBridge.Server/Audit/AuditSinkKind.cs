namespace VoiceBridge.Server.Audit;

/// <summary><c>Audit:Sink</c>.</summary>
internal enum AuditSinkKind
{
    /// <summary>An append-only JSON-lines file per call under <c>Audit:Directory</c> (the default).</summary>
    File,

    /// <summary>A PostgreSQL table shared by several bridge instances (<c>Audit:ConnectionString</c>).</summary>
    Postgres,
}
