namespace VoiceBridge.Realtime.Transport;

/// <summary>Opens a new Realtime session with the configured upstream.</summary>
public interface IRealtimeConnector
{
    /// <summary>Connects; a failure comes back as a value with one clear reason.</summary>
    ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken);
}
