using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Cli.Simulator;

/// <summary>One simulated session's frames as they cross the socket, seen from the simulator's side.</summary>
internal abstract class SimulatorSessionTap
{
    /// <summary>A whole client message has just been read from the socket.</summary>
    public abstract void OnClientMessage(RealtimeMessageKind kind);

    /// <summary>A server event is about to be handed to the socket.</summary>
    public abstract void OnServerEvent(RealtimeEventType type);
}
