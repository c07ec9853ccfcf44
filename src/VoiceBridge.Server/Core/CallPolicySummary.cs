namespace VoiceBridge.Server.Core;

/// <summary>The server policy a call runs with, as its audit record and its span show it (never instructions or tools).</summary>
internal sealed record CallPolicySummary
{
    public string? Model { get; init; }

    public string AudioFormat { get; init; } = "pcm24k";

    public string? TranscriptionModel { get; init; }

    public string? TurnDetection { get; init; }

    /// <summary>Anything else worth recording (a browser client's declared rates).</summary>
    public string? Detail { get; init; }
}
