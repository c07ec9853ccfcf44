namespace VoiceBridge.Server.Sessions;

/// <summary>One message read from a caller's socket: its kind and the bytes of it in the read buffer.</summary>
internal readonly record struct CallerRead(CallerReadKind Kind, int Length);
