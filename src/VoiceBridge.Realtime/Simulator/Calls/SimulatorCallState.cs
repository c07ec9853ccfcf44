namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>Where a simulated direct call is in its life.</summary>
public enum SimulatorCallState
{
    /// <summary>A SIP call waiting for <c>accept</c> or <c>reject</c>.</summary>
    Ringing = 0,

    /// <summary>The model is in the call: media, the data channel and sidebands flow.</summary>
    Live,

    /// <summary>Hung up, rejected, or the caller left; a sideband to it is answered 404.</summary>
    Ended,
}
