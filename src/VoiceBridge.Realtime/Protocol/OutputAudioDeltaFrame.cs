namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// What <see cref="RealtimeAudioFrames.TryReadOutputAudioDelta"/> found in a <c>response.output_audio.delta</c>
/// frame, without allocating: the ids are ranges into the frame's bytes (compare them with the current ids, or turn
/// a new one into a string with <see cref="Utf8IdCache"/>); the audio was decoded into the caller's span.
/// </summary>
/// <param name="ResponseId">Range of the response_id value inside the frame (raw JSON string content).</param>
/// <param name="ItemId">Range of the item_id value inside the frame (raw JSON string content).</param>
/// <param name="OutputIndex">output_index.</param>
/// <param name="ContentIndex">content_index.</param>
/// <param name="AudioLength">Bytes of decoded audio written to the destination.</param>
public readonly record struct OutputAudioDeltaFrame(
    Range ResponseId,
    Range ItemId,
    int OutputIndex,
    int ContentIndex,
    int AudioLength);
