namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// <c>{"type":"audio/pcm","rate":24000}</c>, <c>{"type":"audio/pcmu"}</c> or <c>{"type":"audio/pcma"}</c>
/// (docs/protocols/openai-realtime.md#audio-formats). PCM is 16-bit little-endian mono at 24 kHz only; G.711 carries no
/// rate (8 kHz).
/// </summary>
public sealed record RealtimeAudioFormat : RealtimeJsonObject
{
    public const string PcmType = "audio/pcm";
    public const string PcmuType = "audio/pcmu";
    public const string PcmaType = "audio/pcma";

    public string? Type { get; init; }

    public int? Rate { get; init; }

    public static RealtimeAudioFormat Pcm24k => new() { Type = PcmType, Rate = 24000 };

    public static RealtimeAudioFormat Pcmu => new() { Type = PcmuType };
}
