using System.ComponentModel.DataAnnotations;

using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Upstream;

/// <summary>
/// <c>audio.input.turn_detection</c> of the session (OpenAI Realtime API reference,
/// docs/protocols/openai-realtime.md#turn-detection). Defaults are the API's own server_vad defaults, written out so
/// the config table shows what a call gets.
/// </summary>
internal sealed class UpstreamTurnDetectionOptions
{
    /// <summary><c>server_vad</c>, <c>semantic_vad</c>, or <c>none</c> (the bridge commits and asks for responses itself).</summary>
    [AllowedValues("server_vad", "semantic_vad", "none", ErrorMessage = "Upstream:TurnDetection:Type must be server_vad, semantic_vad or none.")]
    public string Type { get; set; } = "server_vad";

    /// <summary>server_vad: how loud speech must be, 0 to 1.</summary>
    [KeyedRange(0.0, 1.0, ErrorMessage = "Upstream:TurnDetection:Threshold must be between 0 and 1.")]
    public double Threshold { get; set; } = 0.5;

    /// <summary>server_vad: audio kept before the detected start of speech.</summary>
    [KeyedRange(0, 10_000, ErrorMessage = "Upstream:TurnDetection:PrefixPaddingMs must be between 0 and 10000.")]
    public int PrefixPaddingMs { get; set; } = 300;

    /// <summary>server_vad: silence that ends a turn.</summary>
    [KeyedRange(0, 10_000, ErrorMessage = "Upstream:TurnDetection:SilenceDurationMs must be between 0 and 10000.")]
    public int SilenceDurationMs { get; set; } = 500;

    /// <summary>Whether the end of a turn starts a response by itself.</summary>
    public bool CreateResponse { get; set; } = true;

    /// <summary>Whether speech cancels the response in progress (barge-in on the model side).</summary>
    public bool InterruptResponse { get; set; } = true;

    /// <summary>semantic_vad: <c>low</c>, <c>medium</c>, <c>high</c> or <c>auto</c> (= medium).</summary>
    [AllowedValues("low", "medium", "high", "auto", ErrorMessage = "Upstream:TurnDetection:Eagerness must be low, medium, high or auto.")]
    public string Eagerness { get; set; } = "auto";
}
