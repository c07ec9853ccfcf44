using System.Buffers;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over buffers rented from <see cref="ArrayPool{T}.Shared"/> that can hand its
/// buffer over as a <see cref="RealtimeMessage"/> without copying. Reusable: after
/// <see cref="DetachMessage"/> the next write rents a fresh buffer. Not thread-safe.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;
    private byte[]? _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity = 0)
    {
        if (initialCapacity > 0)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        }
    }

    /// <summary>Bytes written since the last detach or reset.</summary>
    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _buffer is null ? default : _buffer.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_buffer is null || _written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Hands the written bytes over as a message (the caller owns it) and starts empty.</summary>
    public RealtimeMessage DetachMessage(RealtimeMessageKind kind)
    {
        if (_buffer is null)
        {
            return RealtimeMessage.Copy(default, kind);
        }

        var message = RealtimeMessage.FromRented(_buffer, _written, kind);
        _buffer = null;
        _written = 0;
        return message;
    }

    /// <summary>Forgets the written bytes, keeping the buffer.</summary>
    public void Reset() => _written = 0;

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _written = 0;
        }
    }

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(needed, MinimumSize));
            return;
        }

        if (_buffer.Length - _written >= needed)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _written + needed));
        _buffer.AsSpan(0, _written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
