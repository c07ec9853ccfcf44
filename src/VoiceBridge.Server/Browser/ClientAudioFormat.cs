using System.Text.Json.Nodes;
using VoiceBridge.Audio;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// The PCM rates a client may declare. The GA API takes PCM at 24 kHz only
/// (docs/protocols/openai-realtime.md#audio-formats); browsers capture at 48 kHz (or 16 kHz for speech stacks), so the
/// bridge resamples those server-side.
/// </summary>
internal static class ClientAudioFormat
{
    public const int UpstreamRate = 24000;

    /// <summary>Reads <c>{"type":"audio/pcm","rate":N}</c>; a missing rate means 24 kHz. False for other formats and rates.</summary>
    public static bool TryReadRate(JsonNode? format, out int rate)
    {
        rate = UpstreamRate;
        if (format is not JsonObject obj || obj["type"] is not JsonValue type || !type.TryGetValue<string>(out var name) || name != "audio/pcm")
        {
            return false;
        }

        if (obj["rate"] is null)
        {
            return true;
        }

        if (obj["rate"] is not JsonValue value || !value.TryGetValue<int>(out rate))
        {
            return false;
        }

        return rate == UpstreamRate || (Resampler.IsSupported(rate, UpstreamRate) && rate is 16000 or 48000);
    }

    /// <summary>Sets <c>audio.&lt;direction&gt;.format</c> to PCM at <paramref name="rate"/> where the session carries one.</summary>
    public static void Replace(JsonObject session, string direction, int rate)
    {
        if (session["audio"]?[direction] is JsonObject audio && audio.ContainsKey("format"))
        {
            audio["format"] = Pcm(rate);
        }
    }

    public static JsonObject Pcm(int rate) => new() { ["type"] = "audio/pcm", ["rate"] = rate };
}
