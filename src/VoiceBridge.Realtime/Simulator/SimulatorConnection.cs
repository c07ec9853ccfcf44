using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>An <see cref="IRealtimeConnection"/> straight onto a <see cref="SimulatorEngine"/>'s bounded queues.</summary>
internal sealed class SimulatorConnection(SimulatorEngine engine) : IRealtimeConnection
{
    public long DroppedAudioMessages => engine.DroppedAudioMessages;

    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken) =>
        engine.SubmitAsync(message, cancellationToken);

    public ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken) =>
        engine.ReceiveAsync(cancellationToken);

    public ValueTask CloseAsync(CancellationToken cancellationToken) =>
        engine.CloseAsync(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "closed by the bridge", CloseStatus: 1000));

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
