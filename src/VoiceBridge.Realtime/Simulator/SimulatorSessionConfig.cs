using System.Text.Json;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>The simulator's effective session configuration (what session.created/updated report).</summary>
internal sealed record SimulatorSessionConfig
{
    public required string Id { get; init; }

    public required string Model { get; init; }

    public string Instructions { get; init; } = string.Empty;

    public IReadOnlyList<string> OutputModalities { get; init; } = ["audio"];

    public SimulatorAudioFormat InputFormat { get; init; } = SimulatorAudioFormat.Pcm24k;

    public SimulatorAudioFormat OutputFormat { get; init; } = SimulatorAudioFormat.Pcm24k;

    public RealtimeTranscription? Transcription { get; init; }

    /// <summary>Null = no VAD (the client commits and asks for responses).</summary>
    public RealtimeTurnDetection? TurnDetection { get; init; } = DefaultTurnDetection;

    public RealtimeVoice Voice { get; init; } = RealtimeVoice.FromName("alloy");

    public IReadOnlyList<RealtimeTool> Tools { get; init; } = [];

    public RealtimeToolChoice ToolChoice { get; init; } = RealtimeToolChoice.Auto;

    /// <summary>Session fields the simulator accepts but does not act on (max_output_tokens, truncation…), echoed back.</summary>
    public IReadOnlyDictionary<string, JsonElement> Extras { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The API's defaults (docs/protocols/openai-realtime.md#turn-detection): threshold 0.5, 300 ms prefix
    /// padding, 500 ms silence, respond and interrupt.</summary>
    public static RealtimeTurnDetection DefaultTurnDetection => new()
    {
        Type = RealtimeTurnDetection.ServerVad,
        Threshold = 0.5,
        PrefixPaddingMs = 300,
        SilenceDurationMs = 500,
        CreateResponse = true,
        InterruptResponse = true,
    };

    public int PrefixPaddingMs => TurnDetection?.PrefixPaddingMs ?? 300;

    /// <summary>semantic_vad has no silence duration; the simulator maps eagerness to one (high 300, auto/medium 500, low 800 ms).</summary>
    public int SilenceDurationMs => TurnDetection switch
    {
        null => 500,
        { Type: RealtimeTurnDetection.SemanticVad, Eagerness: "high" } => 300,
        { Type: RealtimeTurnDetection.SemanticVad, Eagerness: "low" } => 800,
        { Type: RealtimeTurnDetection.SemanticVad } => 500,
        _ => TurnDetection.SilenceDurationMs ?? 500,
    };

    public double Threshold => TurnDetection?.Threshold ?? 0.5;

    public bool CreateResponse => TurnDetection?.CreateResponse ?? true;

    public bool InterruptResponse => TurnDetection?.InterruptResponse ?? true;

    public RealtimeSession ToWire() => new()
    {
        Type = "realtime",
        ObjectType = "realtime.session",
        Id = Id,
        Model = Model,
        OutputModalities = OutputModalities,
        Instructions = Instructions,
        Tools = Tools,
        ToolChoice = ToolChoice,
        Audio = new RealtimeSessionAudio
        {
            Input = new RealtimeAudioInput
            {
                Format = InputFormat.ToWire(),
                Transcription = new JsonOptional<RealtimeTranscription>(Transcription),
                TurnDetection = new JsonOptional<RealtimeTurnDetection>(TurnDetection),
            },
            Output = new RealtimeAudioOutput { Format = OutputFormat.ToWire(), Voice = Voice },
        },
        ExtensionData = Extras.Count == 0 ? null : new Dictionary<string, JsonElement>(Extras),
    };
}
