namespace VoiceBridge.Server.Core;

/// <summary>Why a call ended. Expected endings are values (like YARP's StreamCopyResult), logged once and counted.</summary>
internal enum CallEndReason
{
    /// <summary>Twilio sent <c>stop</c>: the caller hung up or the call was redirected.</summary>
    CallerHungUp = 0,

    /// <summary>The caller's socket closed (close frame or dropped connection).</summary>
    CallerClosed,

    /// <summary>Authentication failed (upgrade signature, call token) or <c>start</c> never came.</summary>
    PolicyViolation,

    /// <summary>A message larger than the leg's cap.</summary>
    MessageTooBig,

    /// <summary>The caller did not read what we sent (send queue full).</summary>
    CallerNotReading,

    /// <summary>No upstream session could be opened.</summary>
    UpstreamConnectFailed,

    /// <summary>The upstream closed or failed mid-call.</summary>
    UpstreamClosed,

    /// <summary>The server is shutting down, or an operator hung up.</summary>
    ServerShutdown,

    /// <summary>The call's audit records could not be written fast enough (its backlog passed <c>Audit:BacklogPerCall</c>).</summary>
    AuditBehind,

    /// <summary>The bridge ended the call on purpose: <c>end_call</c> after the goodbye was heard, an idle hang-up, or an operator's hang-up.</summary>
    EndedByBridge,

    /// <summary>The caller kept sending input the bridge refuses (<c>Session:MaxRefusedMessages</c> within <c>Session:RefusedWindow</c>).</summary>
    CallerFlooding,

    /// <summary>The call made the bridge write more audit than its budget (<c>Audit:MaxRecordsPerCall</c>, <c>Audit:MaxBytesPerCall</c>, <c>Audit:MaxBytesPerMinute</c>).</summary>
    AuditBudget,

    /// <summary>An exception no handler expected (a bug): the session ended with this reason instead of faulting.</summary>
    InternalError,

    /// <summary>
    /// The caller's connection dropped without a close handshake (network loss, a killed client): Kestrel aborted the
    /// request. Not <see cref="ServerShutdown"/>: the drain stops calls itself before the host aborts any connection.
    /// </summary>
    CallerAborted,
}
