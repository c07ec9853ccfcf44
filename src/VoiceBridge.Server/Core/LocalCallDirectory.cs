namespace VoiceBridge.Server.Core;

/// <summary>The single-instance directory: this process's <see cref="CallRegistry"/>, nothing shared.</summary>
internal sealed class LocalCallDirectory(CallRegistry registry) : ICallDirectory
{
    public const string LocalInstance = "local";

    public string InstanceId => LocalInstance;

    public Task<IReadOnlyList<DirectoryEntry>?> ListAsync(CancellationToken cancellationToken)
    {
        var live = new List<DirectoryEntry>();
        foreach (var (call, started) in registry.Snapshot())
        {
            // A phone call has no id until Twilio's start message is accepted; it is listed once it does.
            if (ToEntry(call, started, LocalInstance) is { } entry)
            {
                live.Add(entry);
            }
        }

        return Task.FromResult<IReadOnlyList<DirectoryEntry>?>(live);
    }

    public Task<DirectoryEntry?> FindAsync(string callId, CancellationToken cancellationToken) =>
        Task.FromResult(registry.Find(callId) is { } call && registry.StartedAt(call) is { } started ? ToEntry(call, started, LocalInstance) : null);

    /// <summary>The directory's view of a live call of this instance; null while it has no id.</summary>
    public static DirectoryEntry? ToEntry(ILiveCall call, DateTimeOffset started, string instance) =>
        call.CallId is { } id
            ? new DirectoryEntry { CallId = id, Instance = instance, Transport = call.Transport, Started = started, Caller = call.Caller, State = call.State }
            : null;
}
