namespace VoiceBridge.Realtime.Transport;

/// <summary>How a message is treated when a send queue is full.</summary>
public enum RealtimeMessageKind
{
    /// <summary>Never dropped: the sender waits for room (session.update, response.create, tool output, truncate…).</summary>
    Control = 0,

    /// <summary>Live audio (<c>input_audio_buffer.append</c>, <c>response.output_audio.delta</c>): the oldest is dropped and counted.</summary>
    Audio = 1,
}
