namespace VoiceBridge.Server.Sessions;

/// <summary>
/// Sees every message that crosses the caller leg, as it crosses (the audit's hook into <see cref="CallerSocket"/>).
/// Called on the socket's read and send loops; an implementation copies what it keeps and returns at once.
/// </summary>
internal interface ICallerLegTap
{
    /// <summary>A whole message arrived from the caller (text or binary; never one over the leg's cap).</summary>
    void Received(ReadOnlySpan<byte> message, bool binary);

    /// <summary>A message was handed to the socket for the caller.</summary>
    void Sent(ReadOnlySpan<byte> message);
}
