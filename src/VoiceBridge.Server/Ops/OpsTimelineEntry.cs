namespace VoiceBridge.Server.Ops;

/// <summary>One event of a call's timeline.</summary>
/// <param name="Seq">Its number in the call (the page merges updates by it).</param>
/// <param name="AtMs">Milliseconds since the call started.</param>
/// <param name="Kind"><c>start</c>, <c>turn</c>, <c>barge_in</c>, <c>tool</c>, <c>control</c>, <c>reconnect</c>, <c>error</c>, <c>end</c>.</param>
/// <param name="Text">What happened, for people (no transcript text, no number unmasked).</param>
/// <param name="Ms">The event's figure in milliseconds, when it has one (a turn's first-audio latency, a tool's duration).</param>
/// <param name="Outcome">For a tool call: <c>succeeded</c>, <c>failed</c>, <c>abandoned</c>.</param>
internal sealed record OpsTimelineEntry(long Seq, int AtMs, string Kind, string Text, int? Ms = null, string? Outcome = null);
