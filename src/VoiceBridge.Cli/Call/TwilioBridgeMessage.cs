namespace VoiceBridge.Cli.Call;

/// <summary>The three messages a bridge may send on a bidirectional stream
/// (docs/protocols/twilio-media-streams.md#messages-to-twilio), or something else.</summary>
internal enum TwilioBridgeMessage
{
    Unknown,
    Media,
    Mark,
    Clear,
}
