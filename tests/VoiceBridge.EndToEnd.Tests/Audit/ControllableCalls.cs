using System.Collections.Concurrent;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Audit;

/// <summary>
/// A call feature registered after the bridge's own (ConfigureTestServices), so it is attached right after the call
/// controller: the moment a call can be controlled (<c>POST /calls/{id}/say</c> answers 202, not 409) is an event a
/// test awaits instead of polling the API; so is the end of each reply the upstream generates.
/// </summary>
internal sealed class ControllableCalls : ICallFeatureFactory
{
    private readonly ConcurrentDictionary<string, CallSignals> _calls = new(StringComparer.Ordinal);

    /// <summary>Completes once the call with this id has its features attached (its upstream accepted the policy).</summary>
    public Task Controllable(string callId) => For(callId).Attached.Task;

    /// <summary>Completes at the first <c>response.done</c> the call's upstream sends.</summary>
    public Task ReplyDone(string callId) => For(callId).ReplyDone.Task;

    public ICallFeature? Create(string transport) => new Feature(this);

    private CallSignals For(string callId) => _calls.GetOrAdd(callId, static _ => new CallSignals());

    private sealed class CallSignals
    {
        public TaskCompletionSource Attached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReplyDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Feature(ControllableCalls owner) : ICallFeature
    {
        private CallSignals? _signals;

        public ValueTask AttachAsync(ICallHandle call, CancellationToken ending)
        {
            _signals = owner.For(call.CallId);
            _signals.Attached.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> json)
        {
            if (type == RealtimeEventType.ResponseDone)
            {
                _signals?.ReplyDone.TrySetResult();
            }
        }

        public void OnPlaybackProgress()
        {
        }

        public void Dispose()
        {
        }
    }
}
