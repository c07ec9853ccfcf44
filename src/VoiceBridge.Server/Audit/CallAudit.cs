using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's audit trail, fed from the session's loops. Each record is numbered, formatted and hashed into the chain
/// right here, on the task that has the event, into the call's own buffer; the background writer takes the buffered
/// lines at its flush interval and makes them durable. Nothing here does I/O or wakes a thread (see
/// <see cref="AuditTrail"/> for the two exceptions: the high-water mark, and <see cref="Complete"/>).
/// Thread-safe: the caller and upstream loops may record concurrently; a per-call lock orders them (their order is the
/// order they take it), held for one record's formatting.
/// Each call has an audit budget: records and bytes are counted as they are formatted (audio payloads already replaced
/// by their digests). Once either is spent, every further record is still taken and reported
/// <see cref="AuditAppend.OverBudget"/> so the session ends the call.
/// </summary>
/// <remarks>
/// Why here and not batched in the writer: measured per 20 ms phone frame (6 records, sealed) with
/// <c>AuditRecordBenchmarks</c> (Release, fastest of 40 interleaved rounds, shared 2-core machine), formatting and
/// hashing each record as it crosses took 11.5–16.5 µs; copying it into a pooled buffer took ~1 µs and formatting those
/// copies later in a batch 12.3–18.2 µs more (the event bytes are no longer in cache). Formatting here also drops the
/// copy, which was sized for the base64 audio (up to 2 KiB per record, held for a whole interval) rather than the
/// ~300-byte line, and spreads the work over the calls' tasks on every core instead of one writer thread, which fell
/// behind at ~250 calls (docs/capacity.md). The price is the lock: two legs of one call recording at the same instant
/// wait for each other for one record's formatting (1–2.5 µs).
/// </remarks>
// CA1001: the chain is disposed when the close record is written (Complete); a call still open when the process stops
// leaves it to the finalizer of its hash state, since its session may still be recording.
#pragma warning disable CA1001
internal sealed class CallAudit
#pragma warning restore CA1001
{
    private readonly AuditTrail _trail;
    private readonly Lock _gate = new();
    private readonly AuditChainWriter _chain;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _gate: the lines formatted and not yet taken by the writer, and how they were counted.
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly List<AuditPendingLine> _lines = [];
    private int _waiting;
    private int _held;
    private bool _holding;
    private bool _closed;
    private long _minuteBytes;
    private DateTimeOffset _minuteStart;

    // Written under _gate, read from anywhere.
    private long _records;
    private long _bytes;
    private volatile string? _spent;

    internal CallAudit(AuditTrail trail, string callId, string transport)
    {
        _trail = trail;
        CallId = callId;
        Transport = transport;
        _chain = new AuditChainWriter(trail.Key);
        var started = trail.Now();
        var header = new AuditHeader(callId, transport, started, AuditTrail.NewNonce());
        State = new AuditCallState(this, header);
        lock (_gate)
        {
            var line = _chain.WriteHeader(header);
            Append(line.Span, started, AuditDirection.Bridge, AuditCallState.HeaderType);
            _bytes = line.Length;
        }
    }

    /// <summary>Records taken for this call so far (header and close record not counted).</summary>
    public long Records => Volatile.Read(ref _records);

    /// <summary>Bytes of this call's trail formatted so far (what the sink writes).</summary>
    public long BytesWritten => Volatile.Read(ref _bytes);

    /// <summary>Which budget the call has spent, with the figures; null while within budget.</summary>
    public string? BudgetSpent => _spent;

    public string CallId { get; }

    public string Transport { get; }

    /// <summary>Completes when the close record is durable (after <see cref="Complete"/>); the session awaits it at teardown.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Records held because the queue was full and not yet taken by the writer.</summary>
    public int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held;
            }
        }
    }

    /// <summary>The writer's side of this call.</summary>
    internal AuditCallState State { get; }

    /// <summary>An event as it crossed a leg; <paramref name="eventJson"/> is embedded verbatim.</summary>
    public AuditAppend Record(AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson) =>
        Format(audio: false, direction, eventType, eventJson, 0);

    /// <summary>
    /// An audio event (<c>input_audio_buffer.append</c>, <c>response.output_audio.delta</c>, Twilio <c>media</c>): its
    /// base64 payload is replaced by <c>{bytes, offset, sha256}</c>; <paramref name="recordingOffset"/> is where the
    /// payload's bytes start in the call's recording of that direction.
    /// </summary>
    public AuditAppend RecordAudio(AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson, long recordingOffset) =>
        Format(audio: true, direction, eventType, eventJson, recordingOffset);

    /// <summary>
    /// An audio event whose payload the leg already decoded (<paramref name="payload"/>): recorded as
    /// <see cref="RecordAudio(AuditDirection, string, ReadOnlySpan{byte}, long)"/> does, without decoding the base64 again.
    /// </summary>
    public AuditAppend RecordAudio(AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson, ReadOnlySpan<byte> payload, long recordingOffset)
    {
        AuditAppend append;
        lock (_gate)
        {
            if (_closed)
            {
                return AuditAppend.Closed;
            }

            var at = _trail.Now();
            var line = _chain.WriteAudioRecord(at, direction, eventType, eventJson, payload, recordingOffset);
            append = Append(line.Span, at, direction, eventType);
            Charge(line.Length, at);
        }

        return append != AuditAppend.OverBound && _spent is not null ? AuditAppend.OverBudget : append;
    }

    /// <summary>A decision of the bridge itself (policy applied, barge-in and truncation point, drop, error).</summary>
    public AuditAppend RecordDecision<T>(string decisionType, T decision, JsonTypeInfo<T> typeInfo) =>
        Format(audio: false, AuditDirection.Bridge, decisionType, JsonSerializer.SerializeToUtf8Bytes(decision, typeInfo), 0);

    /// <summary>Writes the close record (the call is complete, with its end reason) and asks the writer to commit it now; later records are refused.</summary>
    public AuditAppend Complete(string endReason)
    {
        AuditAppend append;
        lock (_gate)
        {
            if (_closed)
            {
                return AuditAppend.Closed;
            }

            _closed = true;
            var at = _trail.Now();
            var line = _chain.WriteClose(at, endReason);
            append = Append(line.Span, at, AuditDirection.Bridge, AuditFormat.CloseType);
            _bytes += line.Length;
            _chain.Dispose();
        }

        _trail.Closing(this);
        return append;
    }

    internal void Completed() => _completion.TrySetResult();

    /// <summary>
    /// Called by the writer: hands the lines formatted since its last take to <see cref="State"/>; they no longer count
    /// as waiting, and a call that was holding a backlog stops holding.
    /// </summary>
    internal void TakeInto(AuditCallState state)
    {
        lock (_gate)
        {
            if (_lines.Count == 0)
            {
                return;
            }

            state.Append(_pending.WrittenSpan, _lines);
            state.Closing = _closed;
            _pending.ResetWrittenCount();
            _lines.Clear();
            _trail.Taken(_waiting);
            _waiting = 0;
            if (_holding)
            {
                _holding = false;
                _held = 0;
                _trail.StoppedHolding();
            }
        }
    }

    private AuditAppend Format(bool audio, AuditDirection direction, string eventType, ReadOnlySpan<byte> eventJson, long offset)
    {
        AuditAppend append;
        lock (_gate)
        {
            if (_closed)
            {
                return AuditAppend.Closed;
            }

            var at = _trail.Now();
            var line = audio
                ? _chain.WriteAudioRecord(at, direction, eventType, eventJson, offset)
                : _chain.WriteRecord(at, direction, eventType, eventJson);
            append = Append(line.Span, at, direction, eventType);
            Charge(line.Length, at);
        }

        // Backlog over its bound says more (the writer is behind for everyone); otherwise a spent budget ends the call.
        return append != AuditAppend.OverBound && _spent is not null ? AuditAppend.OverBudget : append;
    }

    // Under _gate.
    private AuditAppend Append(ReadOnlySpan<byte> line, DateTimeOffset at, AuditDirection direction, string type)
    {
        _lines.Add(new AuditPendingLine(_chain.LastSeq, at, direction, type, _pending.WrittenCount, line.Length - 1));
        _pending.Write(line);

        // A call that started holding stays holding until the writer takes its lines, so "held" means "waiting beyond
        // Audit:QueueCapacity" for every line after the first that did not fit.
        if (!_holding && _trail.TryReserve())
        {
            _waiting++;
            return AuditAppend.Queued;
        }

        if (!_holding)
        {
            _holding = true;
            _trail.StartedHolding();
        }

        _held++;
        _trail.CountHeld();
        return _held > _trail.BacklogPerCall ? AuditAppend.OverBound : AuditAppend.Held;
    }

    // Under _gate.
    private void Charge(int bytes, DateTimeOffset at)
    {
        var records = _records + 1;
        var total = _bytes + bytes;
        Volatile.Write(ref _records, records);
        Volatile.Write(ref _bytes, total);
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

        var budget = _trail.Budget;
        if (records > budget.MaxRecordsPerCall)
        {
            _spent = $"the call queued {records} records (Audit:MaxRecordsPerCall is {budget.MaxRecordsPerCall})";
        }
        else if (total >= budget.MaxBytesPerCall)
        {
            _spent = $"the call's trail reached {total} bytes (Audit:MaxBytesPerCall is {budget.MaxBytesPerCall})";
        }
        else if (_minuteBytes >= budget.MaxBytesPerMinute)
        {
            _spent = $"the call wrote {_minuteBytes} bytes of trail within a minute (Audit:MaxBytesPerMinute is {budget.MaxBytesPerMinute})";
        }
    }
}
