namespace VoiceBridge.Server.Calls;

/// <summary>
/// An operator's action on a live call, as the owner of the call carries it out: checked and audited where the call's
/// sockets are, whichever instance the admin API request reached (the cluster sends it there).
/// </summary>
internal sealed record CallControlCommand
{
    public const string Instructions = "instructions";
    public const string Say = "say";
    public const string Hangup = "hangup";
    public const string Transfer = "transfer";

    public required string CallId { get; init; }

    /// <summary><see cref="Instructions"/>, <see cref="Say"/>, <see cref="Hangup"/> or <see cref="Transfer"/>.</summary>
    public required string Action { get; init; }

    /// <summary>Who asked: the admin key's id, never the key.</summary>
    public required string AdminKeyId { get; init; }

    /// <summary>The instructions, the text to say, or the number to transfer to.</summary>
    public string? Argument { get; init; }
}
