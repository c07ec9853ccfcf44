namespace VoiceBridge.Server.Sessions;

/// <summary>Things a call counts: inputs it ignored (each logged once per call) and notable events.</summary>
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
}
