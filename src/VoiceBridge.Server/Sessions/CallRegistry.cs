namespace VoiceBridge.Server.Sessions;

/// <summary>
/// The live calls of this instance, phone and browser alike: for the control API, limits, the shutdown drain, and tests
/// that prove nothing leaks.
/// </summary>
internal sealed class CallRegistry
{
    private readonly Dictionary<ILiveCall, DateTimeOffset> _calls = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _empty = Completed();

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Completes when no call is live (at once if none is).</summary>
    public Task WhenEmpty
    {
        get
        {
            lock (_lock)
            {
                return _empty.Task;
            }
        }
    }

    /// <summary>The live calls with the time each was registered.</summary>
    public IReadOnlyList<KeyValuePair<ILiveCall, DateTimeOffset>> Snapshot()
    {
        lock (_lock)
        {
            return [.. _calls];
        }
    }

    /// <summary>The live call with this id (CallSid or browser session id), if any.</summary>
    public ILiveCall? Find(string callId)
    {
        lock (_lock)
        {
            foreach (var call in _calls.Keys)
            {
                if (string.Equals(call.CallId, callId, StringComparison.Ordinal))
                {
                    return call;
                }
            }

            return null;
        }
    }

    public void Add(ILiveCall session, DateTimeOffset started)
    {
        lock (_lock)
        {
            if (_calls.Count == 0)
            {
                _empty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _calls[session] = started;
        }
    }

    public void Remove(ILiveCall session)
    {
        lock (_lock)
        {
            if (_calls.Remove(session) && _calls.Count == 0)
            {
                _empty.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.TrySetResult();
        return done;
    }
}
