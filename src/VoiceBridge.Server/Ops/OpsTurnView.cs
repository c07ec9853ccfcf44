namespace VoiceBridge.Server.Ops;

/// <summary>One turn of a call's transcript as heard, redacted as the audit trail redacts it.</summary>
/// <param name="ItemId">The conversation item (turns are merged by it on the page).</param>
/// <param name="Role"><c>caller</c> or <c>assistant</c>.</param>
/// <param name="Text">What was said and heard (an interrupted assistant turn: the part heard before the cut).</param>
/// <param name="HeardMs">For an interrupted assistant turn, the milliseconds heard; null otherwise.</param>
internal sealed record OpsTurnView(string ItemId, string Role, string Text, int? HeardMs);
