using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's audit trail, fed from the session's loops. Every method only copies the event into a pooled buffer and
/// queues it (no I/O, no lock unless the queue is full); the background writer numbers, formats, hashes and writes.
/// Thread-safe: the caller and upstream loops may record concurrently (their order is the order they reach the queue).
/// Each call has an audit budget: records are counted as they are queued; bytes are what the writer wrote (after audio
/// payloads are replaced by their digests) plus, for entries not written yet, their size as queued — so a call that
/// outruns the writer is still held to its budget. Once either is spent, every further record is still taken and
/// reported <see cref="AuditAppend.OverBudget"/> so the session ends the call.
/// </summary>
internal sealed class CallAudit
{
    // What a line adds around its event (seq, ts, dir, type, prev and hash: ~210 bytes measured), charged while queued.
    private const int LineOverhead = 200;

    private readonly AuditTrail _trail;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<AuditEntry> _held = new();
    private readonly Lock _heldGate = new();
    private int _inQueue;
    private volatile bool _holding;
    private int _closed;

    private long _records;
    private long _bytesQueued;
    private volatile string? _spent;

    // Written by the audit writer only (one thread).
    private long _bytesWritten;
    private long _minuteBytes;
    private DateTimeOffset _minuteStart;

    internal CallAudit(AuditTrail trail, string callId, string transport)
    {
        _trail = trail;
        CallId = callId;
        Transport = transport;
    }

    /// <summary>Records queued for this call so far.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Bytes of this call's trail the writer has written so far.</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);

    /// <summary>Which budget the call has spent, with the figures; null while within budget.</summary>
    public string? BudgetSpent => _spent;

    public string CallId { get; }

    public string Transport { get; }

    /// <summary>Completes when the close record is durable (after <see cref="Complete"/>); the session awaits it at teardown.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Records held because the queue was full and not yet handed to the writer.</summary>
    public int HeldCount
    {
        get
        {
            lock (_heldGate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>An event as it crossed a leg; <paramref name="eventJson"/> is embedded verbatim.</summary>
    public AuditAppend Record(AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson) =>
        Enqueue(AuditEntryKind.Record, direction, eventType, eventJson, 0);

    /// <summary>
    /// An audio event (<c>input_audio_buffer.append</c>, <c>response.output_audio.delta</c>, Twilio <c>media</c>): the writer
    /// replaces its base64 payload by <c>{bytes, offset, sha256}</c>; <paramref name="recordingOffset"/> is where the
    /// payload's bytes start in the call's recording of that direction.
    /// </summary>
    public AuditAppend RecordAudio(AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson, long recordingOffset) =>
        Enqueue(AuditEntryKind.Audio, direction, eventType, eventJson, recordingOffset);

    /// <summary>A decision of the bridge itself (policy applied, barge-in and truncation point, drop, error).</summary>
    public AuditAppend RecordDecision<T>(string decisionType, T decision, JsonTypeInfo<T> typeInfo) =>
        Enqueue(AuditEntryKind.Record, AuditDirection.Bridge, decisionType, JsonSerializer.SerializeToUtf8Bytes(decision, typeInfo), 0);

    /// <summary>Queues the close record (the call is complete, with its end reason); later records are refused.</summary>
    public AuditAppend Complete(string endReason)
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return AuditAppend.Closed;
        }

        return Push(new AuditEntry(this, AuditEntryKind.Close, _trail.Now(), AuditDirection.Bridge, endReason, null, 0, 0));
    }

    internal AuditAppend EnqueueHeader() =>
        Push(new AuditEntry(this, AuditEntryKind.Header, _trail.Now(), AuditDirection.Bridge, Transport, null, 0, 0));

    internal void Completed() => _completion.TrySetResult();

    /// <summary>
    /// The writer wrote one of this call's entries as a line of <paramref name="bytes"/> (timestamped <paramref name="at"/>):
    /// its queued charge is replaced by what was written, and the per-minute budget counted.
    /// </summary>
    internal void Wrote(in AuditEntry entry, int bytes, DateTimeOffset at)
    {
        var total = _bytesWritten + bytes;
        Volatile.Write(ref _bytesWritten, total);
        Interlocked.Add(ref _bytesQueued, -(entry.Length + LineOverhead));
        if (at - _minuteStart >= TimeSpan.FromMinutes(1))
        {
            _minuteStart = at;
            _minuteBytes = 0;
        }

        _minuteBytes += bytes;
        if (_spent is not null)
        {
            return;
        }

        if (_minuteBytes >= _trail.Budget.MaxBytesPerMinute)
        {
            _spent = $"the call wrote {_minuteBytes} bytes of trail within a minute (Audit:MaxBytesPerMinute is {_trail.Budget.MaxBytesPerMinute})";
        }
    }

    /// <summary>The writer took one of this call's entries from the queue.</summary>
    internal void Dequeued() => Interlocked.Decrement(ref _inQueue);

    /// <summary>
    /// Called by the writer: once none of this call's entries is left in the queue, its held entries are next in order;
    /// hands them over and leaves holding mode. Returns false when the call must wait (entries still queued).
    /// </summary>
    internal bool TryTakeHeld(List<AuditEntry> into)
    {
        if (Volatile.Read(ref _inQueue) != 0)
        {
            return false;
        }

        lock (_heldGate)
        {
            into.AddRange(_held);
            _held.Clear();
            _holding = false;
        }

        return true;
    }

    private AuditAppend Enqueue(AuditEntryKind kind, AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson, long offset)
    {
        if (Volatile.Read(ref _closed) == 1)
        {
            return AuditAppend.Closed;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(eventJson.Length, 1));
        eventJson.CopyTo(buffer);
        var append = Push(new AuditEntry(this, kind, _trail.Now(), direction, eventType, buffer, eventJson.Length, offset));
        var records = Interlocked.Increment(ref _records);
        if (_spent is null)
        {
            CheckBudget(records);
        }

        // Backlog over its bound says more (the writer is behind for everyone); otherwise a spent budget ends the call.
        return append != AuditAppend.OverBound && _spent is not null ? AuditAppend.OverBudget : append;
    }

    private void CheckBudget(long records)
    {
        var bytes = Volatile.Read(ref _bytesWritten) + Interlocked.Read(ref _bytesQueued);
        if (records > _trail.Budget.MaxRecordsPerCall)
        {
            _spent = $"the call queued {records} records (Audit:MaxRecordsPerCall is {_trail.Budget.MaxRecordsPerCall})";
        }
        else if (bytes >= _trail.Budget.MaxBytesPerCall)
        {
            _spent = $"the call's trail reached {bytes} bytes (Audit:MaxBytesPerCall is {_trail.Budget.MaxBytesPerCall})";
        }
    }

    private AuditAppend Push(AuditEntry entry)
    {
        Interlocked.Add(ref _bytesQueued, entry.Length + LineOverhead);
        // Counted before the write so the writer never sees the entry while the count says none is queued.
        if (!_holding)
        {
            Interlocked.Increment(ref _inQueue);
            if (_trail.TryQueue(entry))
            {
                return AuditAppend.Queued;
            }

            Interlocked.Decrement(ref _inQueue);
        }

        int held;
        lock (_heldGate)
        {
            if (!_holding)
            {
                // Last chance under the lock: the writer may have freed room since.
                Interlocked.Increment(ref _inQueue);
                if (_trail.TryQueue(entry))
                {
                    return AuditAppend.Queued;
                }

                Interlocked.Decrement(ref _inQueue);
                _holding = true;
                _trail.StartedHolding(this);
            }

            _held.Enqueue(entry);
            held = _held.Count;
        }

        _trail.CountHeld();
        return held > _trail.BacklogPerCall ? AuditAppend.OverBound : AuditAppend.Held;
    }
}
