using System.Buffers;

namespace VoiceBridge.Realtime.Transport;

/// <summary>
/// One Realtime protocol event as a UTF-8 JSON text frame held in a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>. Ownership moves with the value: whoever holds it last calls
/// <see cref="Dispose"/> exactly once (a copy of the struct is the same buffer, not a second owner).
/// A struct so that relaying a frame allocates nothing but the pooled buffer.
/// </summary>
public readonly struct RealtimeMessage : IDisposable
{
    private static long s_outstanding;
    private readonly byte[]? _buffer;

    private RealtimeMessage(byte[] buffer, int length, RealtimeMessageKind kind)
    {
        Interlocked.Increment(ref s_outstanding);
        _buffer = buffer;
        Length = length;
        Kind = kind;
    }

    /// <summary>
    /// Messages created and not yet disposed, process-wide: lets tests prove that calls give every pooled buffer
    /// back (one interlocked add per message, a few nanoseconds).
    /// </summary>
    public static long Outstanding => Interlocked.Read(ref s_outstanding);

    /// <summary>Bytes of JSON in the message.</summary>
    public int Length { get; }

    /// <summary>Whether the message may be dropped under backpressure (live audio) or never (control).</summary>
    public RealtimeMessageKind Kind { get; }

    public bool IsEmpty => _buffer is null;

    public ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _buffer is null ? default : _buffer.AsMemory(0, Length);

    /// <summary>Takes ownership of a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    public static RealtimeMessage FromRented(byte[] rentedBuffer, int length, RealtimeMessageKind kind)
    {
        ArgumentNullException.ThrowIfNull(rentedBuffer);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, rentedBuffer.Length);
        return new RealtimeMessage(rentedBuffer, length, kind);
    }

    /// <summary>Copies <paramref name="utf8Json"/> into a pooled buffer (for control events and tests).</summary>
    public static RealtimeMessage Copy(ReadOnlySpan<byte> utf8Json, RealtimeMessageKind kind)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, utf8Json.Length));
        utf8Json.CopyTo(buffer);
        return new RealtimeMessage(buffer, utf8Json.Length, kind);
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            Interlocked.Decrement(ref s_outstanding);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
