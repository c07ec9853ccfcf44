using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>audio.output.voice</c>: a built-in name (<c>"marin"</c>) or a custom voice <c>{"id":"voice_…"}</c>.</summary>
[JsonConverter(typeof(RealtimeVoiceConverter))]
public sealed record RealtimeVoice
{
    /// <summary>The built-in voice name; null for a custom voice.</summary>
    public string? Name { get; init; }

    /// <summary>The custom voice id (object form).</summary>
    public string? Id { get; init; }

    public static implicit operator RealtimeVoice(string name) => FromName(name);

    public static RealtimeVoice FromName(string name) => new() { Name = name };
}
