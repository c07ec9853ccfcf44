namespace VoiceBridge.Server.Telemetry;

/// <summary>What every call's telemetry shares: the upstream in use, the SLOs, the price of the model, the clock.</summary>
internal sealed record CallTelemetryContext(
    string Provider,
    string Model,
    double FirstAudioSloMs,
    ModelPrice? Price,
    UpstreamHealth Health,
    TimeProvider Time,
    ILogger Logger)
{
    /// <summary>The first-audio budget of a direct call (WebRTC, SIP); <see cref="FirstAudioSloMs"/> is the relayed one.</summary>
    public double DirectFirstAudioSloMs { get; init; } = FirstAudioSloMs;
}
