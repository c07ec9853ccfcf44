namespace VoiceBridge.Server.Admission;

/// <summary>Why <see cref="CallAdmission"/> turned a new call away; <see cref="None"/> means admitted.</summary>
internal enum CallRefusal
{
    None = 0,

    /// <summary><c>Session:MaxConcurrentCalls</c> calls are live.</summary>
    AtCapacity,

    /// <summary>The instance is shutting down; live calls finish, new ones go elsewhere.</summary>
    Draining,

    /// <summary>The audit writer is failing or behind: a call that cannot be audited is not taken.</summary>
    AuditUnavailable,

    /// <summary>State shared by the instances (<c>Cluster:Redis</c>) is unreachable: tokens and the directory cannot be checked.</summary>
    SharedStateUnavailable,
}
