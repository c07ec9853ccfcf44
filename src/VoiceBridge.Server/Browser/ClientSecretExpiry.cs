namespace VoiceBridge.Server.Browser;

/// <summary><c>expires_after</c>: anchor is always <c>created_at</c>; seconds 10–7200.</summary>
internal sealed record ClientSecretExpiry
{
    public string? Anchor { get; init; }

    public int? Seconds { get; init; }
}
