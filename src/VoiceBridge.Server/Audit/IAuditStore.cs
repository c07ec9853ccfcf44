namespace VoiceBridge.Server.Audit;

/// <summary>Where formatted audit lines are made durable: per-call files or a PostgreSQL table.</summary>
internal interface IAuditStore : IAsyncDisposable
{
    /// <summary>
    /// Makes the pending lines of <paramref name="calls"/> durable (fsync / transaction commit) and calls
    /// <see cref="AuditCallState.Committed"/> on each call that is. Returns null on success, otherwise why not; the
    /// writer retries the calls still pending, and the store must not duplicate lines that were made durable.
    /// </summary>
    ValueTask<string?> CommitAsync(IReadOnlyList<AuditCallState> calls, CancellationToken cancellationToken);

    /// <summary>The call is complete and committed; release what the store holds for it.</summary>
    void Release(AuditCallState call);
}
