namespace VoiceBridge.Cli.Load;

/// <summary>
/// One process's cost over the hold window, from /proc. Memory per call is the steady-state RSS (median of the
/// samples in the window once the first quarter has passed) minus the RSS sampled just before the first call, over
/// the calls up; CPU per call-minute is user + system CPU seconds in the window over call-minutes held; context
/// switches per call-frame are the switches of all its threads in the window over (calls up × 20 ms periods), i.e.
/// how many times per inbound frame (and whatever goes out in the same 20 ms) a thread of the process blocked or was
/// preempted.
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

    /// <summary>Voluntary context switches (a thread blocked) of all threads in the window; null without /proc.</summary>
    public long? VoluntaryContextSwitches { get; init; }

    /// <summary>Involuntary context switches (a thread was preempted) of all threads in the window.</summary>
    public long? InvoluntaryContextSwitches { get; init; }

    /// <summary>All context switches in the window per call per 20 ms (one inbound frame's period).</summary>
    public double? ContextSwitchesPerCallFrame { get; init; }

    /// <summary>
    /// Voluntary switches per call per 20 ms: a thread blocked and had to be woken again, the wake-ups per frame.
    /// Involuntary ones are preemption and <c>sched_yield</c> (a yielding thread stays runnable, so Linux counts the
    /// switch as involuntary): the thread pool's spinning shows there.
    /// </summary>
    public double? WakeUpsPerCallFrame { get; init; }
}
