namespace VoiceBridge.Server.Twilio;

/// <summary>The <c>start</c> object of a Twilio <c>start</c> message.</summary>
internal sealed record TwilioStartBody
{
    public string? StreamSid { get; init; }

    public string? AccountSid { get; init; }

    public string? CallSid { get; init; }

    public IReadOnlyList<string>? Tracks { get; init; }

    public Dictionary<string, string>? CustomParameters { get; init; }

    public TwilioMediaFormat? MediaFormat { get; init; }
}
