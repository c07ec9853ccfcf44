using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// The embedded upstream: every connect starts an in-process <see cref="SimulatorEngine"/> (no sockets). The default
/// when no API key is configured, so the bridge works offline. session.created is the first event received.
/// </summary>
public sealed class SimulatorConnector(SimulatorOptions options, TimeProvider timeProvider) : IRealtimeConnector
{
    private readonly SimulatorOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromResult(RealtimeConnectResult.Failed(new UpstreamEnd(UpstreamEndReason.Cancelled, "connect cancelled")));
        }

#pragma warning disable CA2000 // Ownership moves to the caller with the result (it disposes the connection).
        IRealtimeConnection connection = new SimulatorConnection(SimulatorEngine.Start(_options, _timeProvider));
#pragma warning restore CA2000
        return ValueTask.FromResult(RealtimeConnectResult.Connected(connection));
    }
}
