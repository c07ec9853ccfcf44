using System.Collections.Concurrent;

namespace VoiceBridge.Cli.Load;

/// <summary>What all calls of one run add up to while it runs (read by the progress line and the report).</summary>
internal sealed class LoadMetrics
{
    private readonly ConcurrentDictionary<string, ErrorCount> _errors = new(StringComparer.Ordinal);
    private long _framesSent;
    private long _framesReceived;
    private long _clears;
    private long _turns;

    public LatencyHistogram InboundHop { get; } = new();

    public LatencyHistogram OutboundHop { get; } = new();

    public LatencyHistogram Setup { get; } = new();

    public LatencyHistogram FirstAudio { get; } = new();

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    public long Clears => Interlocked.Read(ref _clears);

    public long Turns => Interlocked.Read(ref _turns);

    public long ErrorTotal => _errors.Values.Sum(e => e.Count);

    public void CountSent() => Interlocked.Increment(ref _framesSent);

    public void CountReceived() => Interlocked.Increment(ref _framesReceived);

    public void CountClear() => Interlocked.Increment(ref _clears);

    public void CountTurn() => Interlocked.Increment(ref _turns);

    /// <summary>Counts an error of <paramref name="kind"/>; the first detail of each kind is kept as its example.</summary>
    public void Error(string kind, string detail, long count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        var entry = _errors.GetOrAdd(kind, static (_, d) => new ErrorCount(d), detail);
        Interlocked.Add(ref entry.Count, count);
    }

    public IReadOnlyList<LoadError> Errors() =>
        [.. _errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new LoadError(e.Key, Interlocked.Read(ref e.Value.Count), e.Value.Example))];

    private sealed class ErrorCount(string example)
    {
#pragma warning disable CA1051 // a field so Interlocked can add to it; private nested type
        public long Count;
#pragma warning restore CA1051

        public string Example { get; } = example;
    }
}
