using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// <c>GET /calls/{id}/transcript</c>: the call's words as the caller heard them, derived from its verified trail. A cut
/// assistant turn carries only the heard words; the rest is there only when asked for (<c>?unheard=true</c>), in its
/// own <c>never_heard</c> field.
/// </summary>
/// <param name="CallId">The call.</param>
/// <param name="Trail"><c>complete</c>, <c>incomplete</c> (the call is live or was interrupted) or <c>broken</c>.</param>
/// <param name="Records">Records that verified; the transcript is built from them only.</param>
/// <param name="Turns">The turns in conversation order.</param>
internal sealed record CallTranscript(string CallId, string Trail, long Records, IReadOnlyList<HeardTurn> Turns);
