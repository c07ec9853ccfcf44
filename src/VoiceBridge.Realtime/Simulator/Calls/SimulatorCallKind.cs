namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>How a simulated direct call reached the model.</summary>
public enum SimulatorCallKind
{
    /// <summary>A browser's SDP offer posted to <c>/v1/realtime/calls</c>.</summary>
    WebRtc = 0,

    /// <summary>A phone call through the SIP interface, announced by a signed <c>realtime.call.incoming</c> webhook.</summary>
    Sip,
}
