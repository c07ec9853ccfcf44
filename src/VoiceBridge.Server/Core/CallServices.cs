using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>What every call shares: the upstream, the clock, the per-call policies from <c>Session</c>, the features.</summary>
internal sealed record CallServices
{
    public required IRealtimeConnector Connector { get; init; }

    public required TimeProvider Time { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>The reconnect policy; null: a lost upstream ends the call.</summary>
    public UpstreamReconnect? Reconnect { get; init; }

    public CallerFlood Flood { get; init; } = new();

    /// <summary>How long the upstream has to confirm the server's session.update before the call is turned away.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The live calls (one live call per CallSid); none in component tests.</summary>
    public CallRegistry? Registry { get; init; }

    /// <summary>Features every call gets (tools, idle handling, operator control).</summary>
    public IReadOnlyList<ICallFeatureFactory> Features { get; init; } = [];
}
