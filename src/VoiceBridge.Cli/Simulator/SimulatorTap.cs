namespace VoiceBridge.Cli.Simulator;

/// <summary>
/// Watches the sessions a <see cref="SimulatorServer"/> serves (the load tool's stopwatch at the upstream end).
/// Called on the connection's loops; implementations must be cheap and must not allocate per frame.
/// </summary>
internal abstract class SimulatorTap
{
    /// <summary>A client's WebSocket was accepted; the returned tap sees that session's frames (null: not watched).</summary>
    public abstract SimulatorSessionTap? OnSessionOpened();
}
