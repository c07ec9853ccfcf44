using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>
/// An observer factory a test registers beside the bridge's own: <see cref="Started"/> completes when a call's start was
/// accepted (it has its id and is listed by <c>GET /calls</c>), an event to await instead of polling the API.
/// </summary>
internal sealed class CallStartedSignal : ICallObserverFactory
{
    private readonly TaskCompletionSource<string> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The id of the first call that started.</summary>
    public Task<string> Started => _started.Task;

    public ICallObserver? Create(ILiveCall call, string transport, string upstreamAudio) => new Observer(_started);

    private sealed class Observer(TaskCompletionSource<string> started) : ICallObserver
    {
        public void OnStarted(CallStarted call) => started.TrySetResult(call.CallId);
    }
}
