namespace VoiceBridge.Server.Audit;

/// <summary>What happened to one record handed to a <see cref="CallAudit"/>. No outcome drops the record.</summary>
internal enum AuditAppend
{
    /// <summary>In the writer's queue.</summary>
    Queued,

    /// <summary>The queue is full (writer behind or failing): held in the call's own backlog, written later in order.</summary>
    Held,

    /// <summary>
    /// Held, but the call's backlog is beyond <c>Audit:BacklogPerCall</c>: the session should end the call, since its
    /// audit cannot keep up.
    /// </summary>
    OverBound,

    /// <summary>
    /// Queued (or held), but the call has spent its audit budget (<c>Audit:MaxRecordsPerCall</c>,
    /// <c>Audit:MaxBytesPerCall</c> or <c>Audit:MaxBytesPerMinute</c>): the session should end the call. The record is
    /// still written: a live call's records are never dropped, the call is ended instead.
    /// </summary>
    OverBudget,

    /// <summary>The call's audit was already completed; the record was not taken.</summary>
    Closed,
}
