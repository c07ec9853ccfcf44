using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// The <c>Telemetry</c> section. Exporters are configured by the standard <c>OTEL_*</c> variables
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>...); nothing is
/// exported unless an endpoint is set. Log sinks and levels come from the <c>Serilog</c> section.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>First-audio latency budget per turn of a relayed call (Twilio, browser WebSocket); turns over it are counted (<c>voicebridge.turns.slo_exceeded</c>).</summary>
    [Range(1, 60_000, ErrorMessage = "Telemetry:FirstAudioSloMs must be between 1 and 60000.")]
    public int FirstAudioSloMs { get; set; } = 450;

    /// <summary>
    /// The same budget for a direct call (WebRTC, SIP), where the audio skips the bridge: tighter by the relayed hop and
    /// the client's jitter buffer. Measured on the sideband, from <c>speech_stopped</c> to <c>output_audio_buffer.started</c>.
    /// </summary>
    [Range(1, 60_000, ErrorMessage = "Telemetry:DirectFirstAudioSloMs must be between 1 and 60000.")]
    public int DirectFirstAudioSloMs { get; set; } = 250;

    /// <summary>Export logs over OTLP too when an OTLP endpoint is set (traces and metrics always are).</summary>
    public bool ExportLogs { get; set; } = true;

    /// <summary>Readiness fails when this many upstream connects in a row failed...</summary>
    [Range(1, 1000, ErrorMessage = "Telemetry:UpstreamFailuresBeforeNotReady must be between 1 and 1000.")]
    public int UpstreamFailuresBeforeNotReady { get; set; } = 3;

    /// <summary>
    /// ...and the last of them is younger than this. After it the instance reports ready again so the balancer sends a
    /// call that re-tests the upstream; otherwise an instance taken out of rotation could never come back.
    /// </summary>
    [Range(1, 3600, ErrorMessage = "Telemetry:UpstreamFailureWindowSeconds must be between 1 and 3600.")]
    public int UpstreamFailureWindowSeconds { get; set; } = 30;

    /// <summary>USD per million tokens, by model name as sent in <c>session.update</c> (e.g. <c>gpt-realtime</c>).</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
