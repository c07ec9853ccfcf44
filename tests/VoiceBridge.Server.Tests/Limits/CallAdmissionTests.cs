using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Limits;

public sealed class CallAdmissionTests
{
    private sealed class AcceptingAuditTrail : IAuditTrail
    {
        public bool IsAcceptingCalls => true;

        public CallAudit Open(string callId, string transport) => throw new NotSupportedException();
    }

    private static CallAdmission Create(int max, IAuditTrail? audit = null) =>
        new(Options.Create(new SessionOptions { MaxConcurrentCalls = max }), audit ?? new AcceptingAuditTrail(), [], Options.Create(new AdmissionOptions()), NullLogger<CallAdmission>.Instance);

    [Fact]
    public void CallsBeyondTheLimit_AreRefused_UntilASlotIsFreed()
    {
        var admission = Create(max: 2);
        using var first = admission.TryAdmit("twilio");
        var second = admission.TryAdmit("browser");

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(admission.TryAdmit("twilio"));
        Assert.Equal(CallRefusal.AtCapacity, admission.Check());

        second!.Dispose();
        second.Dispose(); // a second dispose frees nothing more

        Assert.Equal(1, admission.Active);
        using var third = admission.TryAdmit("twilio");
        Assert.NotNull(third);
    }

    [Fact]
    public void ConcurrentConnects_NeverExceedTheLimit()
    {
        var admission = Create(max: 10);
        var slots = new System.Collections.Concurrent.ConcurrentBag<CallSlot>();

        Parallel.For(0, 200, _ =>
        {
            if (admission.TryAdmit("twilio") is { } slot)
            {
                slots.Add(slot);
            }
        });

        Assert.Equal(10, slots.Count);
        foreach (var slot in slots)
        {
            slot.Dispose();
        }

        Assert.Equal(0, admission.Active);
    }

    [Fact]
    public void WhileDraining_EveryNewCallIsRefused()
    {
        var admission = Create(max: 10);
        admission.BeginDrain();

        Assert.Equal(CallRefusal.Draining, admission.Check());
        Assert.Null(admission.TryAdmit("browser"));
    }

    [Fact]
    public void WhenTheAuditTrailRefuses_NewCallsAreRefused()
    {
        var admission = Create(max: 10, new RefusingAuditTrail());

        Assert.Equal(CallRefusal.AuditUnavailable, admission.Check());
        Assert.Null(admission.TryAdmit("twilio"));
    }
}
