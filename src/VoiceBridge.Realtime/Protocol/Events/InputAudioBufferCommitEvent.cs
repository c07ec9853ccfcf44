using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.InputAudioBufferCommit"/> (client event): Commits the input buffer as a user item (needed without VAD).</summary>
public sealed record InputAudioBufferCommitEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.InputAudioBufferCommit;

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.InputAudioBufferCommitEvent;
}
