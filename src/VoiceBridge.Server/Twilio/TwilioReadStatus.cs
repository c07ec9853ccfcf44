namespace VoiceBridge.Server.Twilio;

/// <summary>Why a frame from Twilio could not be used; each has a defined outcome in the session.</summary>
internal enum TwilioReadStatus
{
    Ok = 0,
    MalformedJson,
    MissingEvent,
    UnknownEvent,
    MissingField,
    InvalidBase64,
    PayloadTooLarge,
}
