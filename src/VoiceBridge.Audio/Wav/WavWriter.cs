using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace VoiceBridge.Audio;

/// <summary>
/// Writes a WAV file incrementally: a header, then sample blocks as they arrive (a call recording), with the
/// RIFF and data sizes patched on <see cref="Flush"/> and on dispose.
/// </summary>
/// <remarks>
/// Until the first flush the header carries 0xFFFFFFFF sizes, the "length unknown" marker streaming readers
/// (and <see cref="WavFile.Read(Stream)"/>) take as "to the end of the file", so a file cut off before any flush
/// is still readable; after a flush it declares the audio written so far. On a stream that cannot seek the
/// placeholders stay. μ-law files get an 18-byte fmt chunk and a fact chunk (the RIFF rule for non-PCM formats).
/// Writes do not allocate. Not thread-safe: one writer per recording, used by one task at a time.
/// </remarks>
public sealed class WavWriter : IDisposable, IAsyncDisposable
{
    private const int ScratchLength = 4096;
    private const uint UnknownSize = uint.MaxValue;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _start;
    private readonly int _headerLength;
    private readonly byte[] _scratch = new byte[ScratchLength];
    private long _dataLength;
    private bool _padded;
    private bool _disposed;

    /// <summary>Starts a WAV file at the current position of <paramref name="stream"/> by writing its header.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format is not writable (rate ≤ 0, not mono/stereo).</exception>
    public WavWriter(Stream stream, WavFormat format, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(format);
        format.EnsureWritable(nameof(format));
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        Format = format;
        _start = stream.CanSeek ? stream.Position : 0;
        _headerLength = BuildHeader(_scratch, patch: false);
        _stream.Write(_scratch, 0, _headerLength);
    }

    public WavFormat Format { get; }

    /// <summary>Sample frames (samples per channel) written so far.</summary>
    public long FramesWritten => _dataLength / Format.BlockAlign;

    /// <summary>Creates (or overwrites) the file at <paramref name="path"/>; readers may open it while it grows.</summary>
    public static WavWriter Create(string path, WavFormat format)
    {
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        try
        {
            return new WavWriter(stream, format);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends PCM16 samples (interleaved for stereo); a μ-law file encodes them.</summary>
    /// <exception cref="ArgumentException">The samples are not a whole number of frames.</exception>
    public void Write(ReadOnlySpan<short> samples)
    {
        BeginWrite(samples.Length);
        while (!samples.IsEmpty)
        {
            int bytes = FillScratch(samples, out int consumed);
            _stream.Write(_scratch, 0, bytes);
            _dataLength += bytes;
            samples = samples[consumed..];
        }
    }

    /// <summary>Appends μ-law codes exactly as given (interleaved for stereo); only for μ-law files.</summary>
    /// <remarks>
    /// Named apart from <see cref="Write(ReadOnlySpan{short})"/> on purpose: with a shared name, a collection
    /// expression such as <c>Write([1, 2, 3])</c> would bind to the byte overload.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The file is PCM16.</exception>
    /// <exception cref="ArgumentException">The codes are not a whole number of frames.</exception>
    public void WriteMuLaw(ReadOnlySpan<byte> muLawCodes)
    {
        BeginWrite(muLawCodes.Length, rawMuLaw: true);
        _stream.Write(muLawCodes);
        _dataLength += muLawCodes.Length;
    }

    /// <inheritdoc cref="Write(ReadOnlySpan{short})"/>
    public async ValueTask WriteAsync(ReadOnlyMemory<short> samples, CancellationToken cancellationToken = default)
    {
        BeginWrite(samples.Length);
        while (!samples.IsEmpty)
        {
            int bytes = FillScratch(samples.Span, out int consumed);
            await _stream.WriteAsync(_scratch.AsMemory(0, bytes), cancellationToken);
            _dataLength += bytes;
            samples = samples[consumed..];
        }
    }

    /// <inheritdoc cref="WriteMuLaw(ReadOnlySpan{byte})"/>
    public async ValueTask WriteMuLawAsync(ReadOnlyMemory<byte> muLawCodes, CancellationToken cancellationToken = default)
    {
        BeginWrite(muLawCodes.Length, rawMuLaw: true);
        await _stream.WriteAsync(muLawCodes, cancellationToken);
        _dataLength += muLawCodes.Length;
    }

    /// <summary>Patches the header to declare everything written so far and flushes the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        PatchHeader();
        _stream.Flush();
    }

    /// <inheritdoc cref="Flush"/>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await PatchHeaderAsync(cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Finishes the file (pad byte, final sizes) and closes the stream unless it was left open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (AddPadByte())
            {
                _stream.Write(_scratch, 0, 1);
            }

            PatchHeader();
            _stream.Flush();
        }
        finally
        {
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (AddPadByte())
            {
                await _stream.WriteAsync(_scratch.AsMemory(0, 1));
            }

            await PatchHeaderAsync(CancellationToken.None);
            await _stream.FlushAsync();
        }
        finally
        {
            if (!_leaveOpen)
            {
                await _stream.DisposeAsync();
            }
        }
    }

    private void BeginWrite(int count, bool rawMuLaw = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (rawMuLaw && Format.Encoding != WavEncoding.MuLaw)
        {
            throw new InvalidOperationException("This is a PCM16 WAV file: write samples as shorts, not μ-law bytes.");
        }

        if (count % Format.Channels != 0)
        {
            throw new ArgumentException(
                $"{count} samples are not a whole number of {Format.Channels}-channel frames; write interleaved frames.", nameof(count));
        }

        // The RIFF size field is 32-bit and 0xFFFFFFFF means "unknown": stay below it, pad byte included.
        if (_headerLength - 8 + _dataLength + ((long)count * Format.BytesPerSample) + 1 >= UnknownSize)
        {
            throw new InvalidOperationException("A WAV file cannot hold more than 4 GiB of audio.");
        }
    }

    /// <summary>Converts as many samples as fit into the scratch buffer, in file byte order.</summary>
    private int FillScratch(ReadOnlySpan<short> samples, out int consumed)
    {
        if (Format.Encoding == WavEncoding.MuLaw)
        {
            consumed = Math.Min(samples.Length, ScratchLength);
            MuLaw.Encode(samples[..consumed], _scratch);
            return consumed;
        }

        consumed = Math.Min(samples.Length, ScratchLength / 2);
        var destination = MemoryMarshal.Cast<byte, short>(_scratch.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            samples[..consumed].CopyTo(destination);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(samples[..consumed], destination);
        }

        return consumed * 2;
    }

    /// <summary>RIFF chunks have even sizes: an odd data chunk (mono μ-law) gets a zero pad byte at the end.</summary>
    private bool AddPadByte()
    {
        _padded = (_dataLength & 1) != 0;
        _scratch[0] = 0;
        return _padded;
    }

    private void PatchHeader()
    {
        if (!_stream.CanSeek)
        {
            return;
        }

        int length = BuildHeader(_scratch, patch: true);
        long end = _stream.Position;
        _stream.Position = _start;
        _stream.Write(_scratch, 0, length);
        _stream.Position = end;
    }

    private async ValueTask PatchHeaderAsync(CancellationToken cancellationToken)
    {
        if (!_stream.CanSeek)
        {
            return;
        }

        int length = BuildHeader(_scratch, patch: true);
        long end = _stream.Position;
        _stream.Position = _start;
        await _stream.WriteAsync(_scratch.AsMemory(0, length), cancellationToken);
        _stream.Position = end;
    }

    /// <summary>
    /// Lays out RIFF header, fmt (16 bytes for PCM; 18 with cbSize = 0 plus a fact chunk for μ-law) and the data
    /// chunk header. Sizes are 0xFFFFFFFF until patched.
    /// </summary>
    private int BuildHeader(Span<byte> h, bool patch)
    {
        bool pcm = Format.Encoding == WavEncoding.Pcm16;
        int fmtLength = pcm ? 16 : 18;
        int headerLength = 12 + 8 + fmtLength + (pcm ? 0 : 12) + 8;
        int bits = Format.BytesPerSample * 8;
        uint riffSize = patch ? (uint)(headerLength - 8 + _dataLength + (_padded ? 1 : 0)) : UnknownSize;
        uint dataSize = patch ? (uint)_dataLength : UnknownSize;
        uint frames = patch ? (uint)FramesWritten : UnknownSize;

        "RIFF"u8.CopyTo(h);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], riffSize);
        "WAVE"u8.CopyTo(h[8..]);
        "fmt "u8.CopyTo(h[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)fmtLength);
        BinaryPrimitives.WriteUInt16LittleEndian(h[20..], (ushort)(pcm ? 1 : 7));
        BinaryPrimitives.WriteUInt16LittleEndian(h[22..], (ushort)Format.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)Format.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], (uint)(Format.SampleRate * Format.BlockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(h[32..], (ushort)Format.BlockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(h[34..], (ushort)bits);
        int at = 36;
        if (!pcm)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[at..], 0); // cbSize: no extra format bytes
            "fact"u8.CopyTo(h[(at + 2)..]);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 6)..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 10)..], frames);
            at += 14;
        }

        "data"u8.CopyTo(h[at..]);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 4)..], dataSize);
        return at + 8;
    }
}
