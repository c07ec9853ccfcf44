namespace VoiceBridge.Server.Twilio;

/// <summary>The <c>event</c> values Twilio sends on a Media Stream
/// (docs/protocols/twilio-media-streams.md#messages-from-twilio).</summary>
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
