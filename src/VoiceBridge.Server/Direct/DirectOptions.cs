using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// Configuration section <c>Direct</c>: calls whose audio runs between the caller and the model (WebRTC from a browser,
/// SIP through the upstream's SIP interface) while the bridge keeps the control plane over a sideband. The webhook
/// secret is <c>Upstream:WebhookSecret</c>; what a WebRTC client may change is <c>Browser:ClientMayChange</c>.
/// </summary>
internal sealed class DirectOptions
{
    public const string SectionName = "Direct";

    /// <summary>
    /// What a client may change when <c>Browser:ClientMayChange</c> is not configured: the same default as the browser
    /// WebSocket's (how the caller hears and is heard, never what the model is told or may do).
    /// </summary>
    public const string DefaultClientMayChange =
        "audio.output.voice,audio.output.speed,audio.input.turn_detection,audio.input.transcription,audio.input.noise_reduction";

    /// <summary>Turns <c>POST /v1/realtime/calls</c> and <c>POST /openai/webhook</c> off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Largest SDP offer accepted (a browser's is 3–8 KB).</summary>
    [Range(1024, 1024 * 1024, ErrorMessage = "Direct:MaxOfferBytes must be between 1024 and 1048576.")]
    public int MaxOfferBytes { get; set; } = 64 * 1024;

    /// <summary>How long the upstream has to answer a call request (create, accept, hang up) before it counts as failed.</summary>
    [Range(1, 120, ErrorMessage = "Direct:RequestTimeoutSeconds must be between 1 and 120.")]
    public int RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Serve the in-process simulator's model-side page (<c>/simulator/peer.html</c> and its sockets) so a browser can
    /// play the model's side of WebRTC calls when no upstream is configured. Default: on in Development only.
    /// </summary>
    public bool SimulatorPeer { get; set; }

    /// <summary>Bound from <c>Browser:ClientMayChange</c> (one list for both kinds of browser client).</summary>
    internal string ClientMayChange { get; set; } = DefaultClientMayChange;

    /// <summary>The parsed <see cref="ClientMayChange"/>.</summary>
    internal IReadOnlySet<string> ClientMayChangePaths() =>
        ClientMayChange.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
