using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Core;

/// <summary>
/// The session configuration the server imposes on every call (from <c>Upstream</c> configuration): what
/// <c>session.update</c> carries. A snapshot record so one call never sees a half-applied change.
/// </summary>
internal sealed record SessionPolicy
{
    public string Model { get; init; } = "gpt-realtime";

    public string? Instructions { get; init; }

    public string Voice { get; init; } = "marin";

    /// <summary>Input transcription model; null turns transcription off.</summary>
    public string? TranscriptionModel { get; init; }

    /// <summary>Turn detection sent upstream; null means none (the bridge would have to commit turns itself).</summary>
    public RealtimeTurnDetection? TurnDetection { get; init; } = new()
    {
        Type = RealtimeTurnDetection.ServerVad,
        Threshold = 0.5,
        PrefixPaddingMs = 300,
        SilenceDurationMs = 500,
        CreateResponse = true,
        InterruptResponse = true,
    };

    /// <summary>Server-side tools offered to the model (<see cref="Tools.ToolCatalog"/>); empty: none.</summary>
    public IReadOnlyList<RealtimeTool> Tools { get; init; } = [];

    /// <summary>True: forward Twilio's μ-law bytes as <c>audio/pcmu</c>; false: transcode to 24 kHz PCM16.</summary>
    public bool PassthroughMulaw { get; init; }

    /// <summary>Whether the upstream cancels a response itself when the caller speaks (else the bridge sends response.cancel).</summary>
    public bool UpstreamInterruptsResponses => TurnDetection?.InterruptResponse ?? false;

    /// <summary>The GA <c>session.update</c> for this policy
    /// (docs/protocols/openai-realtime.md#the-session-update-the-bridge-sends).</summary>
    public SessionUpdateEvent ToSessionUpdate()
    {
        var format = PassthroughMulaw ? RealtimeAudioFormat.Pcmu : RealtimeAudioFormat.Pcm24k;
        return new SessionUpdateEvent
        {
            Session = new RealtimeSession
            {
                Type = "realtime",
                OutputModalities = ["audio"],
                Instructions = Instructions,
                Audio = new RealtimeSessionAudio
                {
                    Input = new RealtimeAudioInput
                    {
                        Format = format,
                        // An explicit null turns the feature off; absent would keep the upstream's default.
                        Transcription = new JsonOptional<RealtimeTranscription>(TranscriptionModel is null ? null : new RealtimeTranscription { Model = TranscriptionModel }),
                        TurnDetection = new JsonOptional<RealtimeTurnDetection>(TurnDetection),
                    },
                    Output = new RealtimeAudioOutput { Format = format, Voice = Voice },
                },
                Tools = Tools.Count == 0 ? null : Tools,
                ToolChoice = Tools.Count == 0 ? null : RealtimeToolChoice.Auto,
            },
        };
    }
}
