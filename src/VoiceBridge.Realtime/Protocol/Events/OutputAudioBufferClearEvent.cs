using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><see cref="RealtimeEventTypes.OutputAudioBufferClear"/> (client event): Clears the server's output buffer (WebRTC and SIP only; a WebSocket session refuses it).</summary>
public sealed record OutputAudioBufferClearEvent : RealtimeEvent
{
    [JsonPropertyOrder(-2)]
    public override string Type => RealtimeEventTypes.OutputAudioBufferClear;

    internal override JsonTypeInfo? JsonTypeInfo => RealtimeJsonContext.Default.OutputAudioBufferClearEvent;
}
