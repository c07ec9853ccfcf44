using System.Buffers;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// Twilio's playback buffer for a bidirectional stream (Twilio Media Streams:
/// docs/protocols/twilio-media-streams.md#mark-echoes, #messages-to-twilio, #frames-timing-and-closing): audio is
/// queued in arrival order and played at 8 kHz real time; a mark is returned once all audio queued before it has
/// played; <c>clear</c> drops unplayed audio and returns every pending mark. The audio is a byte ring addressed by
/// absolute positions, so a mark is just the write position when it arrived. Not thread-safe: the owner locks.
/// </summary>
internal sealed class PlayoutQueue : IDisposable
{
    private readonly Queue<PendingMark> _marks = new();
    private byte[] _ring;
    private long _written;
    private long _played;

    public PlayoutQueue(int initialCapacity = 8192)
    {
        _ring = new byte[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(initialCapacity, 256))];
    }

    /// <summary>Audio queued and not yet played, in bytes (= samples at 8 kHz).</summary>
    public long QueuedBytes => _written - _played;

    /// <summary>Marks not yet returned.</summary>
    public int PendingMarks => _marks.Count;

    public void Append(ReadOnlySpan<byte> mulaw)
    {
        EnsureCapacity(QueuedBytes + mulaw.Length);
        var mask = _ring.Length - 1;
        var start = (int)(_written & mask);
        var first = Math.Min(mulaw.Length, _ring.Length - start);
        mulaw[..first].CopyTo(_ring.AsSpan(start));
        mulaw[first..].CopyTo(_ring);
        _written += mulaw.Length;
    }

    public void AddMark(ReadOnlySpan<byte> nameUtf8)
    {
        var name = ArrayPool<byte>.Shared.Rent(Math.Max(nameUtf8.Length, 16));
        nameUtf8.CopyTo(name);
        _marks.Enqueue(new PendingMark(_written, name, nameUtf8.Length));
    }

    /// <summary>
    /// Plays one period: fills <paramref name="heard"/> with the next queued audio and silence (0xFF) where nothing
    /// is queued. Returns how many queued bytes were played.
    /// </summary>
    public int Play(Span<byte> heard)
    {
        var take = (int)Math.Min(heard.Length, QueuedBytes);
        var mask = _ring.Length - 1;
        var start = (int)(_played & mask);
        var first = Math.Min(take, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(heard);
        _ring.AsSpan(0, take - first).CopyTo(heard[first..]);
        heard[take..].Fill(Audio.MuLaw.Silence);
        _played += take;
        return take;
    }

    /// <summary>Drops all unplayed audio; every pending mark becomes returnable at once. Returns the bytes dropped.</summary>
    public long Clear()
    {
        var dropped = QueuedBytes;
        _played = _written;
        return dropped;
    }

    /// <summary>
    /// Takes the oldest mark whose audio has finished playing (everything queued before it was played in an earlier
    /// period, or cleared) and copies its name into <paramref name="name"/>.
    /// </summary>
    public bool TryTakeReachedMark(Span<byte> name, out int nameLength)
    {
        if (!_marks.TryPeek(out var mark) || mark.Position > _played)
        {
            nameLength = 0;
            return false;
        }

        _marks.Dequeue();
        nameLength = Math.Min(mark.Length, name.Length);
        mark.Name.AsSpan(0, nameLength).CopyTo(name);
        ArrayPool<byte>.Shared.Return(mark.Name);
        return true;
    }

    public void Dispose()
    {
        while (_marks.TryDequeue(out var mark))
        {
            ArrayPool<byte>.Shared.Return(mark.Name);
        }
    }

    private void EnsureCapacity(long needed)
    {
        if (needed <= _ring.Length)
        {
            return;
        }

        var bigger = new byte[(int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed)];
        var queued = (int)QueuedBytes;
        var mask = _ring.Length - 1;
        var start = (int)(_played & mask);
        var first = Math.Min(queued, _ring.Length - start);
        // Re-lay the queued bytes at the same absolute positions in the bigger ring.
        var newMask = bigger.Length - 1;
        for (var i = 0; i < queued; i++)
        {
            bigger[(int)((_played + i) & newMask)] = i < first ? _ring[start + i] : _ring[i - first];
        }

        _ring = bigger;
    }

    private readonly record struct PendingMark(long Position, byte[] Name, int Length);
}
