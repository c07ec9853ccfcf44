namespace VoiceBridge.Cli.Load;

/// <summary>Everything one load run measured; written as JSON and rendered as the table and the HTML report.</summary>
public sealed record LoadReport
{
    public required DateTimeOffset StartedAt { get; init; }

    public required string BridgeUrl { get; init; }

    public int CallsRequested { get; init; }

    /// <summary>Calls that ran their whole length and hung up normally.</summary>
    public int CallsHeld { get; init; }

    /// <summary>
    /// Calls the bridge turned away: busy TwiML (<c>&lt;Reject&gt;</c> or <c>&lt;Say&gt;&lt;Hangup&gt;</c>), a
    /// rejected webhook, or a refused stream upgrade. Also counted in <see cref="Errors"/>.
    /// </summary>
    public int CallsRefused { get; init; }

    /// <summary>Most calls up at once (paired with their upstream session and not yet ended).</summary>
    public int MaxCallsUp { get; init; }

    public double DurationSeconds { get; init; }

    public double RampSeconds { get; init; }

    public bool HostedSimulator { get; init; }

    public int ProcessorCount { get; init; }

    public double? LoadAverageBefore { get; init; }

    public double? LoadAverageAfter { get; init; }

    public required LatencySummary Setup { get; init; }

    public required LatencySummary InboundHop { get; init; }

    public required LatencySummary OutboundHop { get; init; }

    public required LatencySummary FirstAudio { get; init; }

    public required FrameCounts Frames { get; init; }

    public long Responses { get; init; }

    public long BargeIns { get; init; }

    public long ErrorCount { get; init; }

    public IReadOnlyList<LoadError> Errors { get; init; } = [];

    public ProcessFigures? Bridge { get; init; }

    public ProcessFigures? LoadTool { get; init; }

    public IReadOnlyList<LoadSample> Timeline { get; init; } = [];

    /// <summary>The report as indented camelCase JSON (what <c>--json</c> writes).</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, LoadJsonContext.Default.LoadReport);
}
