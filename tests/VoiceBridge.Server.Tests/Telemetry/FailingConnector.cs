using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>An upstream that refuses every connect (HTTP 401), as a wrong key would.</summary>
internal sealed class FailingConnector : IRealtimeConnector
{
    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(RealtimeConnectResult.Failed(new UpstreamEnd(UpstreamEndReason.Refused, "401 from upstream", 401)));
}
