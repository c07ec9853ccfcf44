using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The producer side of the audit pipeline and its health: a bounded queue shared by all calls, the calls holding a
/// backlog because it was full, and the writer's failure state. <see cref="AuditWriter"/> is the single consumer.
/// </summary>
internal sealed class AuditTrail : IAuditTrail
{
    private readonly Channel<AuditEntry> _queue;
    private readonly ConcurrentQueue<CallAudit> _startedHolding = new();
    private readonly TimeProvider _time;
    private int _holdingCalls;
    private long _heldRecords;
    private long _writeFailures;
    private long _lateRecords;
    private volatile string? _failure;
    private TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _commit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AuditTrail(IOptions<AuditOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        BacklogPerCall = settings.BacklogPerCall;
        Budget = new AuditBudget(settings.MaxRecordsPerCall, settings.MaxBytesPerCall, settings.MaxBytesPerMinute);
        _time = time;

        // Producers only TryWrite: the hot path never waits on the writer. A full queue sends the call to its held backlog.
        _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool IsAcceptingCalls => _failure is null && Volatile.Read(ref _holdingCalls) == 0;

    /// <summary>Why <see cref="IsAcceptingCalls"/> is false, for the readiness check; null when accepting.</summary>
    public string? NotAcceptingReason => _failure is { } failure
        ? "audit sink failing: " + failure
        : Volatile.Read(ref _holdingCalls) is > 0 and var calls ? $"audit writer behind: {calls} call(s) holding a backlog" : null;

    /// <summary>Records queued for the writer now, all calls together (the backlog the operations dashboard charts).</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>Records that found the queue full and were held in their call's backlog (never dropped).</summary>
    public long HeldRecords => Interlocked.Read(ref _heldRecords);

    /// <summary>Failed commit attempts (each one is retried).</summary>
    public long WriteFailures => Interlocked.Read(ref _writeFailures);

    /// <summary>Records that reached the writer after their call's close record (recorded concurrently with Complete).</summary>
    public long LateRecords => Interlocked.Read(ref _lateRecords);

    internal int BacklogPerCall { get; }

    /// <summary>What each call may make us write (<c>Audit:MaxRecordsPerCall</c>, <c>Audit:MaxBytesPerCall</c>, <c>Audit:MaxBytesPerMinute</c>).</summary>
    internal AuditBudget Budget { get; }

    /// <summary>Completes at the writer's next successful commit (a signal for tests and for draining at shutdown).</summary>
    internal Task NextCommit => Volatile.Read(ref _commit).Task;

    /// <summary>Completes at the writer's next failed commit attempt, once it counts as failing.</summary>
    internal Task NextFailure => Volatile.Read(ref _failed).Task;

    internal ChannelReader<AuditEntry> Reader => _queue.Reader;

    public CallAudit Open(string callId, string transport)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentException.ThrowIfNullOrEmpty(transport);
        var call = new CallAudit(this, callId, transport);
        call.EnqueueHeader();
        return call;
    }

    /// <summary>A random per-call nonce (128 bits, hex) for the header.</summary>
    internal static string NewNonce()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    internal DateTimeOffset Now() => _time.GetUtcNow();

    internal bool TryQueue(AuditEntry entry) => _queue.Writer.TryWrite(entry);

    internal void StartedHolding(CallAudit call)
    {
        Interlocked.Increment(ref _holdingCalls);
        // No wake-up needed: a call only starts holding when the queue is full, so the writer has entries to read,
        // and it looks at holding calls after every batch.
        _startedHolding.Enqueue(call);
    }

    internal void StoppedHolding() => Interlocked.Decrement(ref _holdingCalls);

    internal bool TryTakeStartedHolding(out CallAudit? call) => _startedHolding.TryDequeue(out call);

    internal void CountLate() => Interlocked.Increment(ref _lateRecords);

    internal void CountHeld() => Interlocked.Increment(ref _heldRecords);

    /// <summary>Returns true the first time in a failure episode (so the failure is logged once).</summary>
    internal bool Failed(string reason)
    {
        Interlocked.Increment(ref _writeFailures);
        var first = _failure is null;
        _failure = reason;
        Interlocked.Exchange(ref _failed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return first;
    }

    internal void Committed() =>
        Interlocked.Exchange(ref _commit, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns true when a failure episode ended.</summary>
    internal bool Recovered()
    {
        var was = _failure is not null;
        _failure = null;
        return was;
    }

    /// <summary>Stops accepting records at shutdown; the writer drains what is queued.</summary>
    internal void CompleteQueue() => _queue.Writer.TryComplete();
}
