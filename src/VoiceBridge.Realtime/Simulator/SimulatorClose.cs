namespace VoiceBridge.Realtime.Simulator;

/// <summary>A scripted server-side close: after <see cref="AfterMs"/> on the clock, or when user turn <see cref="AtTurn"/> is committed.</summary>
public sealed record SimulatorClose
{
    public int? AfterMs { get; init; }

    public int? AtTurn { get; init; }

    /// <summary>WebSocket close status reported (1000 normal, 1011 server error, 4000…).</summary>
    public int Status { get; init; } = 1000;

    public string Description { get; init; } = "simulator scripted close";
}
