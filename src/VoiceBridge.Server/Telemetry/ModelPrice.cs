namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// One model's list price in USD per million tokens, as published by the provider. Cached input tokens (a subset of
/// the input tokens) are charged at <see cref="CachedInput"/> instead of their modality's price.
/// </summary>
internal sealed class ModelPrice
{
    public double InputText { get; set; }

    public double InputAudio { get; set; }

    public double CachedInput { get; set; }

    public double OutputText { get; set; }

    public double OutputAudio { get; set; }
}
