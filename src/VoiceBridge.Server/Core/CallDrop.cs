namespace VoiceBridge.Server.Core;

/// <summary>
/// Things a call counts: inputs it ignored (each logged once per call) and notable events. The audit trail carries them
/// as counted <c>bridge.drop</c> summaries (count and bytes per reason), never one record per message.
/// </summary>
internal enum CallDrop
{
    BinaryFrame = 0,
    MalformedJson,
    UnexpectedEvent,
    MissingField,
    InvalidBase64,
    EmptyPayload,

    /// <summary>A Twilio <c>dtmf.digit</c> that is not one keypad key (<c>[0-9*#A-D]</c>); it never reaches the model.</summary>
    InvalidDtmf,
    WrongStreamSid,
    BeforeStart,
    Flood,
    UnknownMark,
    ClearedMark,
    InterruptedAudio,
    MalformedUpstreamEvent,
    BargeIn,

    /// <summary>A message over the leg's size cap (the call ends).</summary>
    TooBig,

    /// <summary>A client event whose fields have the wrong types.</summary>
    InvalidValue,

    /// <summary>A message that arrived after the call had decided to end (read only to complete the close handshake).</summary>
    AfterEnd,

    /// <summary>A client event that repeats a JSON key at some depth (refused whole: parsers disagree on which one wins).</summary>
    DuplicateKey,

    /// <summary>Caller audio the upstream socket could not take in time (its send queue was full): the oldest was dropped.</summary>
    UpstreamAudioDropped,

    /// <summary>
    /// A direct call's client changed a session field the server fixes (seen in <c>session.updated</c> on the sideband);
    /// the bridge re-asserted its policy.
    /// </summary>
    PolicyViolation,
}
