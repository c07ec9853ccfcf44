namespace VoiceBridge.Realtime.Simulator;

/// <summary>How fast the simulator releases response audio.</summary>
public enum SimulatorPacing
{
    /// <summary>One chunk per chunk duration on the injected clock (play speed).</summary>
    RealTime = 0,

    /// <summary>All chunks at once.</summary>
    Fast,
}
