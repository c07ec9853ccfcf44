namespace VoiceBridge.Server.Core;

/// <summary>What reading one message from a caller's socket produced.</summary>
internal enum CallerReadKind
{
    Text = 0,
    Binary,

    /// <summary>The peer closed, or the connection is gone.</summary>
    Closed,

    /// <summary>The message exceeded the leg's cap; the rest of it is skipped by the next read.</summary>
    TooBig,
}
