using System.Buffers;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One queued item: the event bytes copied into a pooled array (the caller's buffer is reused as soon as it returns);
/// the writer formats, hashes and returns the array.
/// </summary>
internal readonly record struct AuditEntry(
    CallAudit Call,
    AuditEntryKind Kind,
    DateTimeOffset Timestamp,
    AuditDirection Direction,
    string Type,
    byte[]? Buffer,
    int Length,
    long Offset)
{
    public ReadOnlySpan<byte> Event => Buffer.AsSpan(0, Length);

    public void Release()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
