namespace VoiceBridge.Cli.Watch;

/// <summary>What <c>voicebridge watch</c> does: how many dashboard viewers, on which bridge, for how long.</summary>
public sealed record WatchOptions
{
    /// <summary>The bridge's base URL; viewers log in at <c>{url}/ops/login</c> and connect to <c>{url}/ops/hub</c>.</summary>
    public required Uri BridgeUrl { get; init; }

    /// <summary>An operator or viewer key.</summary>
    public required string Key { get; init; }

    public int Viewers { get; init; } = 50;

    /// <summary>Connected but not measured yet (the load tool's ramp).</summary>
    public TimeSpan Warmup { get; init; }

    /// <summary>The measurement window.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Each viewer opens one live call (its transcript and timeline), as a person at the page would.</summary>
    public bool OpenACall { get; init; } = true;
}
