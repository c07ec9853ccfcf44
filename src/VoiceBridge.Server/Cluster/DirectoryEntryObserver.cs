using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Cluster;

/// <summary>One call's directory entry: written when it starts, removed when it ends (see <see cref="DirectoryKeeper"/>).</summary>
internal sealed class DirectoryEntryObserver(DirectoryKeeper keeper, ILiveCall call) : ICallObserver
{
    private string? _callId;
    private Task _registered = Task.CompletedTask;

    public void OnStarted(CallStarted started)
    {
        ArgumentNullException.ThrowIfNull(started);
        _callId = started.CallId;
        _registered = keeper.RegisterAsync(call, started);
    }

    public async ValueTask OnEndedAsync(CallEndReason reason, string? detail)
    {
        if (_callId is { } id)
        {
            // A call that ends at once must not be written back after its removal.
            await _registered.ConfigureAwait(false);
            await keeper.RemoveAsync(id).ConfigureAwait(false);
        }
    }
}
