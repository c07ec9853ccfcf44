namespace VoiceBridge.Server.Twilio;

/// <summary><c>start.mediaFormat</c>: always μ-law, 8000 Hz, mono on Media Streams
/// (docs/protocols/twilio-media-streams.md#the-start-message).</summary>
internal sealed record TwilioMediaFormat
{
    public string? Encoding { get; init; }

    public int SampleRate { get; init; }

    public int Channels { get; init; }
}
