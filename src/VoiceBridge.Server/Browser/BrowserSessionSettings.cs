namespace VoiceBridge.Server.Browser;

/// <summary>The per-connection caps, a snapshot of <see cref="BrowserOptions"/> (tests shrink them).</summary>
internal sealed record BrowserSessionSettings
{
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    public int MaxAppendsPerSecond { get; init; } = 200;

    public int SendQueueCapacity { get; init; } = 2048;

    /// <summary>How long the upstream has to confirm the server's session.update before the client is turned away.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static BrowserSessionSettings From(BrowserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new()
        {
            MaxMessageBytes = options.MaxMessageBytes,
            MaxAppendsPerSecond = options.MaxAppendsPerSecond,
            SendQueueCapacity = options.SendQueueCapacity,
        };
    }
}
