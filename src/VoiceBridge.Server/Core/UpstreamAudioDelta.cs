namespace VoiceBridge.Server.Core;

/// <summary>
/// A decoded <c>response.output_audio.delta</c>, handed to the leg by the upstream loop: the audio bytes (borrowed for the
/// call only) and the ids it belongs to. Default (<see cref="IsAudio"/> false) for every other event.
/// </summary>
internal readonly record struct UpstreamAudioDelta(ReadOnlyMemory<byte> Audio, string? ResponseId, string? ItemId, int OutputIndex, int ContentIndex, long ReceivedAt)
{
    public bool IsAudio => ItemId is not null;
}
