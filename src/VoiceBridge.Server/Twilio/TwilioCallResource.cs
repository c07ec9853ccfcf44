namespace VoiceBridge.Server.Twilio;

/// <summary>The fields we read of Twilio's call resource (JSON answer of the Calls endpoints) and of its error body.</summary>
internal sealed record TwilioCallResource
{
    public string? Sid { get; init; }

    public string? Status { get; init; }

    /// <summary>Error bodies: Twilio's error code (for example 21211, invalid To number).</summary>
    public int? Code { get; init; }

    /// <summary>Error bodies: the human-readable message.</summary>
    public string? Message { get; init; }
}
