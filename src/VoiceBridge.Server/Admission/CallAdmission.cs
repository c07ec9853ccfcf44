using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;

using SessionOptions = VoiceBridge.Server.Core.SessionOptions;

namespace VoiceBridge.Server.Admission;

/// <summary>
/// Decides whether a new call may start: under <c>Session:MaxConcurrentCalls</c>, not draining, and the audit trail
/// accepting calls. Call endpoints take a <see cref="CallSlot"/> before the upgrade and hold it until the call ends,
/// so the limit holds under concurrent connects (a check of the registry's count would let a burst past it).
/// </summary>
internal sealed partial class CallAdmission(
    IOptions<SessionOptions> options,
    IAuditTrail audit,
    IEnumerable<IAdmissionCheck> checks,
    IOptions<AdmissionOptions> answers,
    ILogger<CallAdmission> logger)
{
    private readonly int _max = options.Value.MaxConcurrentCalls;
    private readonly IAdmissionCheck[] _checks = [.. checks];
    private int _active;
    private volatile bool _draining;

    /// <summary>Calls holding a slot.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>True once shutdown began: readiness fails and every new call is refused.</summary>
    public bool IsDraining => _draining;

    /// <summary>Stops admitting calls for good (SIGTERM). Idempotent.</summary>
    public void BeginDrain() => _draining = true;

    /// <summary>A refused voice webhook answers 503 for the load balancer to retry elsewhere (<see cref="AdmissionOptions.RetryElsewhere"/>).</summary>
    public bool RetryElsewhere => answers.Value.RetryElsewhere;

    /// <summary>Whether a call would be admitted now, without taking a slot (the webhook's advance check).</summary>
    public CallRefusal Check()
    {
        var refusal = _draining ? CallRefusal.Draining
            : !audit.IsAcceptingCalls ? CallRefusal.AuditUnavailable
            : Active >= _max ? CallRefusal.AtCapacity
            : CallRefusal.None;
        for (var i = 0; i < _checks.Length && refusal == CallRefusal.None; i++)
        {
            refusal = _checks[i].Check();
        }

        return refusal;
    }

    /// <summary>Like <see cref="Check"/>, logging a refusal; <paramref name="transport"/> names the endpoint for the log.</summary>
    public CallRefusal CheckAndLog(string transport)
    {
        var refusal = Check();
        if (refusal != CallRefusal.None)
        {
            LogRefused(logger, transport, refusal, Active);
        }

        return refusal;
    }

    /// <summary>Takes a slot for a call about to start (dispose it when the call ends), or null when refused.</summary>
    public CallSlot? TryAdmit(string transport)
    {
        if (CheckAndLog(transport) != CallRefusal.None)
        {
            return null;
        }

        if (Interlocked.Increment(ref _active) > _max)
        {
            Interlocked.Decrement(ref _active);
            LogRefused(logger, transport, CallRefusal.AtCapacity, _max);
            return null;
        }

        return new CallSlot(this);
    }

    internal void Release() => Interlocked.Decrement(ref _active);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Warning, Message = "New {Transport} call refused: {Refusal} ({Active} calls live)")]
    private static partial void LogRefused(ILogger logger, string transport, CallRefusal refusal, int active);
}
