namespace VoiceBridge.Cli.Watch;

/// <summary>What the viewers measured over the window.</summary>
public sealed record WatchReport
{
    public required string BridgeUrl { get; init; }

    public int Viewers { get; init; }

    public int Connected { get; init; }

    public int Disconnected { get; init; }

    public double WindowSeconds { get; init; }

    /// <summary>Bytes received per viewer per second (WebSocket payload, as the viewer read it): mean, least, most.</summary>
    public double BytesPerSecondMean { get; init; }

    public double BytesPerSecondMin { get; init; }

    public double BytesPerSecondMax { get; init; }

    /// <summary>Hub messages per viewer per second.</summary>
    public double MessagesPerSecond { get; init; }

    /// <summary>Call rows per viewer per second in updates (not keyframes).</summary>
    public double RowsPerSecond { get; init; }

    /// <summary>Most updates one call got in any one second, at one viewer (coalescing bounds it).</summary>
    public int MaxUpdatesPerCallSecond { get; init; }

    /// <summary>Live calls the last keyframe listed.</summary>
    public int CallsSeen { get; init; }

    /// <summary>Update latency: the row's first change on the bridge → the viewer read the update, milliseconds.</summary>
    public long LatencySamples { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP95Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    public double LatencyMaxMs { get; init; }

    public double? LoadAverageBefore { get; init; }

    public double? LoadAverageAfter { get; init; }
}
