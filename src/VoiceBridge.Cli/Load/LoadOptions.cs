namespace VoiceBridge.Cli.Load;

/// <summary>One load run: which bridge, how many calls, how long they are all held, and whose resources to watch.</summary>
public sealed record LoadOptions
{
    /// <summary>The bridge's base URL; calls post to <c>{BridgeUrl}/twilio/voice</c>.</summary>
    public required Uri BridgeUrl { get; init; }

    public int Calls { get; init; } = 10;

    /// <summary>How long all calls are up together (the measurement window).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Calls are placed evenly over this time before the window starts.</summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Twilio auth token to sign with; null places unsigned calls (a bridge in Development).</summary>
    public string? AuthToken { get; init; }

    /// <summary>The bridge's process id, for CPU and memory from /proc; null skips those figures.</summary>
    public int? BridgePid { get; init; }

    /// <summary>
    /// Open a <c>wss://</c> stream URL on a loopback host as plain <c>ws://</c>: for a bridge without TLS that writes
    /// <c>wss://</c> into its TwiML anyway (Twilio's Node sample). See <see cref="Call.FakeTwilioCallOptions.PlainWebSocketOnLoopback"/>.
    /// </summary>
    public bool PlainWebSocketOnLoopback { get; init; }

    /// <summary>How often CPU, memory and the progress line are sampled.</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);
}
