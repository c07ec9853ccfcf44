namespace VoiceBridge.Cli.Call;

/// <summary>The three messages a bridge may send on a bidirectional stream (twilio.md §6), or something else.</summary>
internal enum TwilioBridgeMessage
{
    Unknown,
    Media,
    Mark,
    Clear,
}
