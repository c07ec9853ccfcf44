using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>A simulated sideband as an <see cref="IRealtimeConnection"/> (the bridge's in-process simulator).</summary>
internal sealed class SimulatorCallsConnection(ISimulatorSession session) : IRealtimeConnection
{
    public long DroppedAudioMessages => 0;

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken) => session.SubmitAsync(message, cancellationToken);

    public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) => session.ReceiveAsync(cancellationToken);

    public ValueTask CloseAsync(CancellationToken cancellationToken) =>
        session.CloseAsync(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "closed by the bridge", CloseStatus: 1000));

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
