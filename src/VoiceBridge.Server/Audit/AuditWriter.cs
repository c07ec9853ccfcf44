using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The single consumer of the calls' formatted audit lines: takes them and group-commits them to the sink every
/// <c>Audit:FlushIntervalMs</c>, at once for a call that completed (its session awaits the close record's durability),
/// and when the lines waiting reach the high-water mark. It sleeps otherwise: recording a record wakes nothing
/// (<see cref="AuditTrail"/>). A failed commit is retried with backoff; meanwhile it takes nothing, so calls go on
/// formatting, the waiting count reaches <c>Audit:QueueCapacity</c> and calls hold their backlog (the trail reports
/// not ready).
/// </summary>
internal sealed partial class AuditWriter(
    AuditTrail trail,
    IAuditStore store,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(options.Value.FlushIntervalMs);
    private readonly List<AuditCallState> _calls = [];
    private readonly List<AuditCallState> _dirty = [];
    private readonly List<AuditCallState> _closing = [];
    private readonly Lock _stopGate = new();
    private Task? _stopping;
    private long _wakes;
    private long _commits;
    private long _commitTicks;

    /// <summary>Times the writer's loop resumed from waiting: each costs a thread wake-up (measured by tests).</summary>
    internal long Wakes => Interlocked.Read(ref _wakes);

    /// <summary>Commit attempts made, and the time they took in the sink (measured by tests).</summary>
    internal (long Count, TimeSpan Time) Commits => (Interlocked.Read(ref _commits), TimeSpan.FromTicks(Interlocked.Read(ref _commitTicks)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (trail.Key is null)
        {
            LogUnsealed(logger);
        }

        var nextCommit = time.GetUtcNow() + _interval;
        var due = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // Before looking: a ring from here on wakes the wait below.
                trail.ResetBell();
                Admit();
                // The timer may fire a little before the clock reads nextCommit: its firing is what makes the commit due.
                if (due || time.GetUtcNow() >= nextCommit || trail.AboveHighWater)
                {
                    // The interval counts from this take: a line taken now is durable within it, however long the
                    // sink takes (a commit slower than the interval is followed by the next at once).
                    nextCommit = time.GetUtcNow() + _interval;
                    TakeAll();
                    await CommitAsync(retry: true, stoppingToken).ConfigureAwait(false);
                }
                else if (_closing.Count > 0)
                {
                    // Only the completed calls: the others keep their group commit at the interval.
                    foreach (var call in _closing)
                    {
                        Take(call);
                    }

                    _closing.Clear();
                    await CommitAsync(retry: true, stoppingToken).ConfigureAwait(false);
                }

                due = await WaitAsync(nextCommit - time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                Interlocked.Increment(ref _wakes);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // The host can be stopped twice at once (WebApplication.Run's own shutdown and its owner's StopAsync): the
        // final take and commit run once, and a second caller waits for the first.
        lock (_stopGate)
        {
            _stopping ??= StopOnceAsync(cancellationToken);
            return _stopping;
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (ExecuteTask is { IsCompleted: false })
        {
            // The host's shutdown timeout expired with the writer still busy; it cannot be finished from here safely.
            return;
        }

        // Shutdown: whatever the calls formatted is written once more (also when the host stopped before the loop
        // ran); calls still open stay incomplete in the trail.
        trail.CompleteQueue();
        Admit();
        TakeAll();
        await CommitAsync(retry: false, CancellationToken.None).ConfigureAwait(false);
        _calls.Clear();
        await store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Learns the calls that completed, then the calls opened since the last look.</summary>
    private void Admit()
    {
        // In this order: a call is announced as opened before it can be announced as closing, so every closing call
        // seen here is among _calls once the opened ones are added.
        while (trail.TryTakeClosing(out var call))
        {
            _closing.Add(call!.State);
        }

        while (trail.TryTakeOpened(out var call))
        {
            _calls.Add(call!.State);
        }
    }

    private void TakeAll()
    {
        _closing.Clear();
        foreach (var call in _calls)
        {
            Take(call);
        }
    }

    private void Take(AuditCallState state)
    {
        state.Call.TakeInto(state);
        if (state.HasPending && !_dirty.Contains(state))
        {
            _dirty.Add(state);
        }
    }

    private async Task CommitAsync(bool retry, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (_dirty.Count > 0)
        {
            var started = time.GetTimestamp();
            var failure = await store.CommitAsync(_dirty, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _commitTicks, time.GetElapsedTime(started).Ticks);
            if (failure is null)
            {
                if (trail.Recovered())
                {
                    LogRecovered(logger, trail.WriteFailures);
                }

                foreach (var call in _dirty)
                {
                    if (call.Closing)
                    {
                        store.Release(call);
                        _calls.Remove(call);
                        call.Call.Completed();
                    }
                }

                _dirty.Clear();
                trail.Committed();
                return;
            }

            if (trail.Failed(failure))
            {
                LogFailing(logger, failure);
            }

            if (!retry)
            {
                LogUnwritten(logger, _dirty.Count, failure);
                return;
            }

            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Waits for the bell or the timeout; true when the timeout ended the wait (the commit is due).</summary>
    private async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bell = trail.Bell;
        if (bell.IsCompleted)
        {
            return false;
        }

        if (timeout <= TimeSpan.Zero)
        {
            return true;
        }

        // Whole milliseconds, rounded up: the system timer fires at once for a due time under 1 ms, which would spin
        // this loop until the clock catches up.
        timeout = TimeSpan.FromMilliseconds(Math.Ceiling(timeout.TotalMilliseconds));
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timer.Token);
        var first = await Task.WhenAny(bell, delay).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == delay;
    }
}
