namespace VoiceBridge.Realtime.Transport;

/// <summary>
/// An open Realtime session with an upstream (OpenAI, Azure OpenAI, a GA-compatible endpoint, or the
/// in-process simulator). Client events go in, server events come out, as UTF-8 JSON frames.
/// One reader and one writer at a time; expected endings are values, not exceptions.
/// </summary>
public interface IRealtimeConnection : IAsyncDisposable
{
    /// <summary>
    /// Queues a client event and takes ownership of <paramref name="message"/>. Audio messages may push out the
    /// oldest queued audio when the send queue is full (counted in <see cref="DroppedAudioMessages"/>); control
    /// messages wait for room. Returns false when the connection has ended (the message is then disposed).
    /// </summary>
    ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// The next server event, or the end of the session with its reason. After an end result every further call
    /// returns the same end.
    /// </summary>
    ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Closes cleanly (close frame with a status, bounded wait), then aborts. Idempotent.</summary>
    ValueTask CloseAsync(CancellationToken cancellationToken);

    /// <summary>Audio messages dropped from the send queue because it was full.</summary>
    long DroppedAudioMessages { get; }
}
