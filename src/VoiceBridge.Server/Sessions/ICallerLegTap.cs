namespace VoiceBridge.Server.Sessions;

/// <summary>
/// Sees every message that crosses the caller leg: what <see cref="CallerSocket"/> sends, and what the session accepted
/// from the caller. Called on the session's receive loop and the socket's send loop; an implementation copies what it
/// keeps and returns at once.
/// </summary>
internal interface ICallerLegTap
{
    /// <summary>A whole message from the caller that the session accepted (refused input is only counted, never handed here).</summary>
    void Received(ReadOnlySpan<byte> message, bool binary);

    /// <summary>A message was handed to the socket for the caller.</summary>
    void Sent(ReadOnlySpan<byte> message);
}
