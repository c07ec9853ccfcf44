namespace VoiceBridge.Server.Core;

/// <summary>
/// One message read from a caller's socket: its kind and the bytes of it in the read buffer. <see cref="Aborted"/> marks a
/// <see cref="CallerReadKind.Closed"/> that came from a connection that went without a close handshake: the receive can
/// see the reset before the request-aborted token fires, and the end reason must not depend on which comes first.
/// </summary>
internal readonly record struct CallerRead(CallerReadKind Kind, int Length, bool Aborted = false);
