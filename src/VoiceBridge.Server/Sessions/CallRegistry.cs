namespace VoiceBridge.Server.Sessions;

/// <summary>The live calls of this instance: for the control API, shutdown drain, and tests that prove nothing leaks.</summary>
internal sealed class CallRegistry
{
    private readonly Dictionary<TwilioCallSession, DateTimeOffset> _calls = [];
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

    public IReadOnlyList<TwilioCallSession> Snapshot()
    {
        lock (_lock)
        {
            return [.. _calls.Keys];
        }
    }

    public void Add(TwilioCallSession session, DateTimeOffset started)
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

    public void Remove(TwilioCallSession session)
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
