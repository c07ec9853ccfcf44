namespace VoiceBridge.Realtime.Transport;

/// <summary>How much a <see cref="WebSocketSender"/> may queue behind a write in flight, and what a full queue does.</summary>
public sealed record WebSocketSenderOptions
{
    /// <summary>Messages of each kind (audio, control) that may wait behind a write in flight.</summary>
    public int Capacity { get; init; } = 256;

    /// <summary>Full audio room: drop the oldest queued audio (counted) — live audio is stale when late — or refuse the new message.</summary>
    public bool DropOldestAudio { get; init; } = true;

    /// <summary>Full control room: wait for room (control is never dropped) or refuse the message.</summary>
    public bool ControlWaitsForRoom { get; init; } = true;
}
