namespace VoiceBridge.Server.Core;

/// <summary>One turn of a call's transcript as the caller heard it.</summary>
/// <param name="Role"><c>caller</c> or <c>assistant</c>.</param>
/// <param name="ItemId">The conversation item (upstream id).</param>
/// <param name="Text">What was said and heard; for an interrupted assistant turn, the part heard before the cut.</param>
/// <param name="AudioMs">Assistant audio generated for the item (null for caller turns).</param>
/// <param name="HeardMs">Assistant audio the caller heard, when the turn was cut (barge-in truncation point).</param>
/// <param name="GeneratedText">The model's whole text for the item, only when the caller heard less of it.</param>
internal sealed record HeardTurn(string Role, string ItemId, string Text, int? AudioMs, int? HeardMs, string? GeneratedText)
{
    public const string CallerRole = "caller";
    public const string AssistantRole = "assistant";

    /// <summary>The caller heard only part of the assistant's turn.</summary>
    public bool Truncated => HeardMs is not null;
}
