using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Limits;

/// <summary>An audit trail whose writer is failing: it accepts no call.</summary>
internal sealed class RefusingAuditTrail : IAuditTrail
{
    public bool IsAcceptingCalls => false;

    public CallAudit Open(string callId, string transport) => throw new InvalidOperationException("no call may be opened while the trail refuses calls");
}
