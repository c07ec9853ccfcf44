namespace VoiceBridge.Server.Telemetry;

/// <summary>What every call's telemetry shares: the upstream in use, the SLO, the price of the model, the clock.</summary>
internal sealed record CallTelemetryContext(
    string Provider,
    string Model,
    double FirstAudioSloMs,
    ModelPrice? Price,
    UpstreamHealth Health,
    TimeProvider Time,
    ILogger Logger);
