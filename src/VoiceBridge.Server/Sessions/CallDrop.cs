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
    WrongStreamSid,
    BeforeStart,
    Flood,
    UnknownMark,
    ClearedMark,
    InterruptedAudio,
    MalformedUpstreamEvent,
    BargeIn,
}
