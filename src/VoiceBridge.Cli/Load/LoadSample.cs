namespace VoiceBridge.Cli.Load;

/// <summary>One sample of the run's timeline (once a second).</summary>
public sealed record LoadSample
{
    public double Seconds { get; init; }

    public int CallsUp { get; init; }

    public double FramesPerSecond { get; init; }

    public double? BridgeCores { get; init; }

    public double? BridgeRssMiB { get; init; }

    public double ToolCores { get; init; }

    public double ToolRssMiB { get; init; }
}
