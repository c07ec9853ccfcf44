namespace VoiceBridge.Server.Twilio;

/// <summary><c>start.mediaFormat</c>: always μ-law, 8000 Hz, mono on Media Streams (twilio.md §5.2).</summary>
internal sealed record TwilioMediaFormat
{
    public string? Encoding { get; init; }

    public int SampleRate { get; init; }

    public int Channels { get; init; }
}
