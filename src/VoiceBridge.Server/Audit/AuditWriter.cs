using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The single consumer of the audit queue: numbers, formats and hashes every call's records, and group-commits them
/// to the sink at least every <c>Audit:FlushIntervalMs</c> and at every call end. A failed commit is retried with
/// backoff; meanwhile it stops reading, so the queue fills and calls hold their backlog (the trail reports not ready).
/// </summary>
internal sealed partial class AuditWriter(
    AuditTrail trail,
    IAuditStore store,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : BackgroundService
{
    private const int BatchLimit = 4096;
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval = TimeSpan.FromMilliseconds(options.Value.FlushIntervalMs);
    private readonly AuditSigningKey? _key = options.Value.ParsedSigningKey();
    private readonly Dictionary<CallAudit, AuditCallState> _calls = [];
    private readonly List<AuditCallState> _dirty = [];
    private readonly List<CallAudit> _holding = [];
    private readonly List<AuditEntry> _held = [];
    private Task<bool>? _pendingRead;
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_key is null)
        {
            LogUnsealed(logger);
        }

        var nextCommit = time.GetUtcNow() + _interval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var worked = Drain();
                var now = time.GetUtcNow();
                if (now >= nextCommit || _dirty.Exists(call => call.Closing))
                {
                    await CommitAsync(retry: true, stoppingToken).ConfigureAwait(false);
                    nextCommit = time.GetUtcNow() + _interval;
                    continue;
                }

                if (!worked)
                {
                    await WaitAsync(nextCommit - now, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // The host can be stopped twice at once (WebApplication.Run's own shutdown and its owner's StopAsync): the
        // final drain and commit run once, and a second caller waits for the first.
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

        // Shutdown: whatever reached the queue is written once more (also when the host stopped before the loop ran);
        // calls still open stay incomplete in the trail.
        trail.CompleteQueue();
        while (Drain())
        {
        }

        await CommitAsync(retry: false, CancellationToken.None).ConfigureAwait(false);
        foreach (var call in _calls.Values)
        {
            call.Dispose();
        }

        _calls.Clear();
        await store.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Formats up to a batch of queued entries, then the backlogs held by calls whose queued entries are done.</summary>
    private bool Drain()
    {
        var count = 0;
        while (count < BatchLimit && trail.Reader.TryRead(out var entry))
        {
            entry.Call.Dequeued();
            Process(entry);
            count++;
        }

        while (trail.TryTakeStartedHolding(out var call))
        {
            _holding.Add(call!);
        }

        for (var i = _holding.Count - 1; i >= 0; i--)
        {
            if (!_holding[i].TryTakeHeld(_held))
            {
                continue;
            }

            foreach (var entry in _held)
            {
                Process(entry);
            }

            count += _held.Count;
            _held.Clear();
            _holding.RemoveAt(i);
            trail.StoppedHolding();
        }

        return count > 0;
    }

    private void Process(AuditEntry entry)
    {
        try
        {
            ReadOnlyMemory<byte> line;
            AuditCallState? state;
            if (entry.Kind == AuditEntryKind.Header)
            {
                state = new AuditCallState(entry.Call, new AuditHeader(entry.Call.CallId, entry.Type, entry.Timestamp, AuditTrail.NewNonce()), _key);
                _calls.Add(entry.Call, state);
                line = state.Chain.WriteHeader(state.Header);
                state.Append(line.Span, entry.Timestamp, AuditDirection.Bridge, AuditCallState.HeaderType);
            }
            else if (!_calls.TryGetValue(entry.Call, out state) || state.Chain.IsClosed)
            {
                // Recorded concurrently with Complete and queued behind the close record: the call's chain is sealed,
                // so the record is counted (a session bug to fix) rather than breaking the trail.
                trail.CountLate();
                return;
            }
            else if (entry.Kind == AuditEntryKind.Close)
            {
                line = state.Chain.WriteClose(entry.Timestamp, entry.Type);
                state.Append(line.Span, entry.Timestamp, AuditDirection.Bridge, AuditFormat.CloseType);
                state.Closing = true;
            }
            else
            {
                line = entry.Kind == AuditEntryKind.Audio
                    ? state.Chain.WriteAudioRecord(entry.Timestamp, entry.Direction, entry.Type, entry.Event, entry.Offset)
                    : state.Chain.WriteRecord(entry.Timestamp, entry.Direction, entry.Type, entry.Event);
                state.Append(line.Span, entry.Timestamp, entry.Direction, entry.Type);
            }

            entry.Call.Wrote(entry, line.Length, entry.Timestamp);

            if (!_dirty.Contains(state))
            {
                _dirty.Add(state);
            }
        }
        finally
        {
            entry.Release();
        }
    }

    private async Task CommitAsync(bool retry, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (_dirty.Count > 0)
        {
            var failure = await store.CommitAsync(_dirty, cancellationToken).ConfigureAwait(false);
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
                        _calls.Remove(call.Call);
                        call.Dispose();
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

    private async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // One outstanding wait on the queue, kept across timeouts, rather than a new one per idle tick.
        _pendingRead ??= trail.Reader.WaitToReadAsync(cancellationToken).AsTask();
        if (!_pendingRead.IsCompleted)
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(timeout, time, timer.Token);
            await Task.WhenAny(_pendingRead, delay).ConfigureAwait(false);
            await timer.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (!_pendingRead.IsCompleted)
            {
                return;
            }
        }

        var more = await _pendingRead.ConfigureAwait(false);
        _pendingRead = null;
        if (!more)
        {
            // The queue was completed (shutdown): wait for the stopping token instead of spinning.
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }
}
