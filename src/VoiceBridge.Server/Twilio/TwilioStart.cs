namespace VoiceBridge.Server.Twilio;

/// <summary>The <c>start</c> message (twilio.md §5.2); read once per call, so a plain source-generated record.</summary>
internal sealed record TwilioStart
{
    public string? Event { get; init; }

    public string? StreamSid { get; init; }

    public TwilioStartBody? Start { get; init; }
}
