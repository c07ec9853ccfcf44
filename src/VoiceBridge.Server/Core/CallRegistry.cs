namespace VoiceBridge.Server.Core;

/// <summary>
/// The live calls of this instance, phone and browser alike: for the control API, limits, the shutdown drain, and tests
/// that prove nothing leaks.
/// </summary>
internal sealed class CallRegistry
{
    private readonly Dictionary<ILiveCall, DateTimeOffset> _calls = [];
    private readonly Lock _lock = new();

    // CallSids claimed by a phone call that accepted its start: the claim and its check are one step under the lock,
    // so two streams for one CallSid cannot both become live.
    private readonly Dictionary<string, ILiveCall> _claims = new(StringComparer.Ordinal);
    private TaskCompletionSource _empty = Completed();

    private long _replaysRefused;

    /// <summary>Webhooks and media streams refused because their CallSid already had a live call (a replayed webhook).</summary>
    public long ReplaysRefused => Interlocked.Read(ref _replaysRefused);

    /// <summary>Counts a refused replay (see <see cref="ReplaysRefused"/>).</summary>
    public void CountReplayRefused() => Interlocked.Increment(ref _replaysRefused);

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

    /// <summary>When <paramref name="call"/> was registered; null once it is not.</summary>
    public DateTimeOffset? StartedAt(ILiveCall call)
    {
        lock (_lock)
        {
            return _calls.TryGetValue(call, out var started) ? started : null;
        }
    }

    /// <summary>The live call with this id (CallSid or browser session id), if any.</summary>
    public ILiveCall? Find(string callId)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(callId, out var claimed))
            {
                return claimed;
            }

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

    /// <summary>
    /// Claims <paramref name="callId"/> for <paramref name="session"/>; false when another live call already has it
    /// (a replayed webhook's second media stream). The claim ends when the session is removed.
    /// </summary>
    public bool TryClaim(ILiveCall session, string callId)
    {
        lock (_lock)
        {
            foreach (var call in _calls.Keys)
            {
                if (!ReferenceEquals(call, session) && string.Equals(call.CallId, callId, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return _claims.TryAdd(callId, session) || ReferenceEquals(_claims[callId], session);
        }
    }

    public void Remove(ILiveCall session)
    {
        lock (_lock)
        {
            // By value: a call may have claimed its id before it knew it was started.
            foreach (var (id, claimed) in _claims)
            {
                if (ReferenceEquals(claimed, session))
                {
                    _claims.Remove(id);
                    break;
                }
            }

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
