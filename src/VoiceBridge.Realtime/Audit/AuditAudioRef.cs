namespace VoiceBridge.Realtime.Audit;

/// <summary>What replaces an audio payload in the audit trail: its size, where it sits in the call's recording.</summary>
/// <param name="Bytes">Decoded payload length.</param>
/// <param name="Offset">Byte offset of the payload in the call's recording of that direction.</param>
public readonly record struct AuditAudioRef(int Bytes, long Offset);
