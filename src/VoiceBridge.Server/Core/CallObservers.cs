using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>One call's observers as one: each hook goes to every observer in turn (an array walk, no allocation).</summary>
internal sealed class CallObservers(ICallObserver[] observers) : ICallObserver, IAsyncDisposable
{
    private readonly ICallObserver[] _observers = observers;

    public static CallObservers None { get; } = new([]);

    /// <summary>The first observer of type <typeparamref name="T"/>, if any (tests and features that need one by name).</summary>
    public T? Find<T>()
        where T : class
    {
        foreach (var observer in _observers)
        {
            if (observer is T found)
            {
                return found;
            }
        }

        return null;
    }

    public void OnStarted(CallStarted call)
    {
        foreach (var observer in _observers)
        {
            observer.OnStarted(call);
        }
    }

    public void OnUpstreamConnecting()
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamConnecting();
        }
    }

    public void OnUpstreamConnected(UpstreamEnd? failure, TimeSpan elapsed)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamConnected(failure, elapsed);
        }
    }

    public void OnCallerMessage(ReadOnlySpan<byte> wire, bool binary)
    {
        foreach (var observer in _observers)
        {
            observer.OnCallerMessage(wire, binary);
        }
    }

    public void OnCallerAudio(in AudioFrame frame)
    {
        foreach (var observer in _observers)
        {
            observer.OnCallerAudio(frame);
        }
    }

    public void OnCallerSent(ReadOnlySpan<byte> wire)
    {
        foreach (var observer in _observers)
        {
            observer.OnCallerSent(wire);
        }
    }

    public void OnCallerAudioSent(in AudioFrame frame)
    {
        foreach (var observer in _observers)
        {
            observer.OnCallerAudioSent(frame);
        }
    }

    public void OnUpstreamSent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamSent(type, wire);
        }
    }

    public void OnUpstreamAudioSent(in AudioFrame frame)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamAudioSent(frame);
        }
    }

    public void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamEvent(type, wire);
        }
    }

    public void OnUpstreamAudio(in AudioFrame frame)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamAudio(frame);
        }
    }

    public void OnMarkSent(long mark)
    {
        foreach (var observer in _observers)
        {
            observer.OnMarkSent(mark);
        }
    }

    public void OnMarkEchoed(long mark, MarkEchoKind kind)
    {
        foreach (var observer in _observers)
        {
            observer.OnMarkEchoed(mark, kind);
        }
    }

    public void OnDrop(CallDrop drop, int bytes)
    {
        foreach (var observer in _observers)
        {
            observer.OnDrop(drop, bytes);
        }
    }

    public void OnBargeIn(BargeInDecision decision)
    {
        foreach (var observer in _observers)
        {
            observer.OnBargeIn(decision);
        }
    }

    public void OnUpstreamGap(UpstreamGap gap)
    {
        foreach (var observer in _observers)
        {
            observer.OnUpstreamGap(gap);
        }
    }

    public void OnTurnFirstAudio(int turn, TimeSpan latency)
    {
        foreach (var observer in _observers)
        {
            observer.OnTurnFirstAudio(turn, latency);
        }
    }

    public void OnToolCallStarted(string name, string toolCallId)
    {
        foreach (var observer in _observers)
        {
            observer.OnToolCallStarted(name, toolCallId);
        }
    }

    public void OnToolCallEnded(string name, string toolCallId, TimeSpan duration, ToolCallOutcome outcome)
    {
        foreach (var observer in _observers)
        {
            observer.OnToolCallEnded(name, toolCallId, duration, outcome);
        }
    }

    public void OnControl(string action, string adminKeyId, string? detail)
    {
        foreach (var observer in _observers)
        {
            observer.OnControl(action, adminKeyId, detail);
        }
    }

    /// <summary>Every observer finishes, even when one of them fails (its failure is rethrown after the others).</summary>
    public async ValueTask OnEndedAsync(CallEndReason reason, string? detail)
    {
        List<Exception>? failures = null;
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnEndedAsync(reason, detail).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // One observer's failure must not leave the others' trails and spans unfinished.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                (failures ??= []).Add(ex);
            }
        }

        if (failures is not null)
        {
            throw new AggregateException(failures);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var observer in _observers)
        {
            switch (observer)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
