namespace VoiceBridge.EndToEnd.Tests.Faults;

/// <summary>What <see cref="FaultProxy"/> does to one connection between the bridge and the upstream.</summary>
internal enum UpstreamFault
{
    /// <summary>Relays both ways untouched.</summary>
    None = 0,

    /// <summary>Accepts the TCP connection and resets it at once (a refused or crashed upstream).</summary>
    Refuse,

    /// <summary>Accepts and reads the upgrade request, never answers it.</summary>
    HangDuringConnect,

    /// <summary>Relays until a reply is streaming, then resets both sides with no close frame.</summary>
    CloseMidResponse,

    /// <summary>Relays until the session is up, then writes bytes that are no WebSocket frame to the bridge.</summary>
    Garbage,

    /// <summary>Relays until the session is up, then forwards nothing either way (a black-holed upstream).</summary>
    Stall,

    /// <summary>Relays everything with an added delay per chunk.</summary>
    Delay,
}
