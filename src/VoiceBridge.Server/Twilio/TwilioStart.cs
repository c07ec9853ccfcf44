namespace VoiceBridge.Server.Twilio;

/// <summary>The <c>start</c> message (docs/protocols/twilio-media-streams.md#the-start-message); read once per call, so
/// a plain source-generated record.</summary>
internal sealed record TwilioStart
{
    public string? Event { get; init; }

    public string? StreamSid { get; init; }

    public TwilioStartBody? Start { get; init; }
}
