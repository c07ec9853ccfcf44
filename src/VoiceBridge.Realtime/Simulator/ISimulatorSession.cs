using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// One simulated Realtime session as a transport sees it: client events in, server events out. A plain session
/// (<see cref="SimulatorEngine"/>) and a direct call's sideband (<see cref="Calls.SimulatorCalls.OpenSideband"/>) both
/// are one, so the same WebSocket relay serves both.
/// </summary>
public interface ISimulatorSession : IAsyncDisposable
{
    /// <summary>Hands a client event frame to the session (ownership moves); false once the session has ended.</summary>
    ValueTask<bool> SubmitAsync(RealtimeMessage message, CancellationToken cancellationToken);

    /// <summary>The next server event (owned by the caller), or the end of the session. Ends are sticky.</summary>
    ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Ends the session from the client side (idempotent).</summary>
    ValueTask CloseAsync(UpstreamEnd ending);
}
