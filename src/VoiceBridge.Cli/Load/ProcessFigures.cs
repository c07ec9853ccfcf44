namespace VoiceBridge.Cli.Load;

/// <summary>
/// One process's cost over the hold window, from /proc. Memory per call is the steady-state RSS (median of the
/// samples in the window once the first quarter has passed) minus the RSS sampled just before the first call, over
/// the calls up; CPU per call-minute is user + system CPU seconds in the window over call-minutes held.
/// </summary>
public sealed record ProcessFigures
{
    public int Pid { get; init; }

    public long BaselineRssBytes { get; init; }

    public long SteadyRssBytes { get; init; }

    public double RssPerCallKiB { get; init; }

    public double CpuSeconds { get; init; }

    public double WindowSeconds { get; init; }

    public double CpuMsPerCallMinute { get; init; }

    /// <summary>CPU seconds per second: 1.0 is one core busy.</summary>
    public double AverageCores { get; init; }
}
