namespace VoiceBridge.Server.Core;

/// <summary>
/// The live calls of every instance, and which instance owns each: what the admin API lists and routes control by, and
/// what the voice webhook asks before it answers a CallSid that is already live. By default it is this instance's
/// <see cref="CallRegistry"/> (<see cref="LocalCallDirectory"/>); with <c>Cluster:Redis</c> a directory in Redis that each
/// instance keeps its own calls in, refreshed while they live and expiring when the instance dies.
/// </summary>
internal interface ICallDirectory
{
    /// <summary>This instance's name in the directory (<c>Cluster:InstanceId</c>; <c>local</c> when alone).</summary>
    string InstanceId { get; }

    /// <summary>
    /// Every live call the directory knows, on every instance (a phone call once its <c>start</c> is accepted); null when
    /// the shared directory cannot be read now (Redis unreachable).
    /// </summary>
    Task<IReadOnlyList<DirectoryEntry>?> ListAsync(CancellationToken cancellationToken);

    /// <summary>The live call with this id on any instance, or null (also when the shared directory cannot be read).</summary>
    Task<DirectoryEntry?> FindAsync(string callId, CancellationToken cancellationToken);
}
