namespace VoiceBridge.Server.Twilio;

/// <summary>The <c>event</c> values Twilio sends on a Media Stream (twilio.md §5).</summary>
internal enum TwilioEvent
{
    Unknown = 0,
    Connected,
    Start,
    Media,
    Dtmf,
    Mark,
    Stop,
}
