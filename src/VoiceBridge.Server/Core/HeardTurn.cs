namespace VoiceBridge.Server.Core;

/// <summary>One turn of a call's transcript as the caller heard it.</summary>
/// <param name="Role"><c>caller</c> or <c>assistant</c>.</param>
/// <param name="ItemId">The conversation item (upstream id).</param>
/// <param name="Text">What was said and heard; for an interrupted assistant turn, the part heard before the cut.</param>
/// <param name="AudioMs">Assistant audio generated for the item (null for caller turns).</param>
/// <param name="HeardMs">Assistant audio the caller heard, when the turn was cut (barge-in truncation point).</param>
/// <param name="NeverHeard">
/// For a cut turn, the rest of the model's text for the item: words generated but never played to the caller. Kept for
/// the audit reader who asks for it explicitly, never part of <paramref name="Text"/>; null when nothing was cut.
/// </param>
internal sealed record HeardTurn(string Role, string ItemId, string Text, int? AudioMs, int? HeardMs, string? NeverHeard)
{
    public const string CallerRole = "caller";
    public const string AssistantRole = "assistant";

    /// <summary>The caller heard only part of the assistant's turn.</summary>
    public bool Truncated => HeardMs is not null;

    /// <summary>The turn without the words the caller never heard.</summary>
    public HeardTurn AsHeard() => NeverHeard is null ? this : this with { NeverHeard = null };
}
