namespace VoiceBridge.Server.Ops;

/// <summary>What a dashboard session may do.</summary>
internal enum OpsRole
{
    /// <summary><c>Audit:ViewerKeys</c>: watch every call and its redacted transcript.</summary>
    Viewer = 0,

    /// <summary><c>Audit:AdminKeys</c>: watch, and act (say, instructions, hang up, transfer), audited with the key's id.</summary>
    Operator,
}
