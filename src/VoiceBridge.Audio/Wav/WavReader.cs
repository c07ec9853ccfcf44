using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace VoiceBridge.Audio;

/// <summary>Parses RIFF/WAVE (little-endian) files holding 16-bit PCM or μ-law, mono or stereo.</summary>
internal static class WavReader
{
    private const int FormatTagPcm = 0x0001;
    private const int FormatTagMuLaw = 0x0007;
    private const int FormatTagExtensible = 0xFFFE;

    // A WAVE_FORMAT_EXTENSIBLE fmt chunk: the 16-byte base, cbSize (2), valid bits (2), channel mask (4), subformat GUID (16).
    private const int ExtensibleFmtLength = 40;
    private const int SubformatOffset = 24;

    // KSDATAFORMAT_SUBTYPE_xxx GUIDs are {0000tttt-0000-0010-8000-00AA00389B71} with the classic format tag in
    // Data1 (ksmedia.h); these are bytes 4..15 of that GUID as stored in the file.
    private static ReadOnlySpan<byte> SubformatGuidTail => [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static WavAudio Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ReadRiffHeader(stream);

        WavFormat? format = null;
        byte[]? data = null;
        int dataLength = 0;
        bool truncated = false;
        Span<byte> chunkHeader = stackalloc byte[8];

        // fmt normally precedes data, but the order is not enforced: keep scanning until both are found.
        while (format is null || data is null)
        {
            int got = ReadFully(stream, chunkHeader);
            if (got == 0)
            {
                break;
            }

            if (got < chunkHeader.Length)
            {
                throw new WavFormatException($"truncated chunk header: the file ends {got} bytes into an 8-byte chunk header");
            }

            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            ReadOnlySpan<byte> id = chunkHeader[..4];
            if (id.SequenceEqual("fmt "u8) && format is null)
            {
                format = ReadFmt(stream, size);
            }
            else if (id.SequenceEqual("data"u8) && data is null)
            {
                // Streaming writers that never patch the header leave 0 or 0xFFFFFFFF: the data runs to the end.
                bool toEnd = size is 0 or uint.MaxValue;
                data = ReadUpTo(stream, toEnd ? long.MaxValue : size, out dataLength);
                truncated = !toEnd && dataLength < size;
            }
            else if (!Skip(stream, size + (size & 1))) // RIFF chunks are padded to an even size
            {
                break;
            }
        }

        if (format is null)
        {
            throw new WavFormatException("no fmt chunk: the file does not describe its audio format");
        }

        if (data is null)
        {
            throw new WavFormatException("no data chunk: the file holds no audio");
        }

        int usable = dataLength - (dataLength % format.BlockAlign);
        truncated |= usable != dataLength;
        return Decode(format, data.AsMemory(0, usable), truncated);
    }

    private static WavAudio Decode(WavFormat format, ReadOnlyMemory<byte> data, bool truncated)
    {
        if (format.Encoding == WavEncoding.MuLaw)
        {
            var decoded = new short[data.Length];
            MuLaw.Decode(data.Span, decoded);
            return new WavAudio(format, decoded, data, truncated);
        }

        var samples = new short[data.Length / 2];
        var source = MemoryMarshal.Cast<byte, short>(data.Span);
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(samples);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(source, samples);
        }

        return new WavAudio(format, samples, ReadOnlyMemory<byte>.Empty, truncated);
    }

    private static void ReadRiffHeader(Stream stream)
    {
        Span<byte> header = stackalloc byte[12];
        int got = ReadFully(stream, header);
        if (got == 0)
        {
            throw new WavFormatException("empty file: no RIFF header");
        }

        if (got >= 4 && header[..4].SequenceEqual("RIFX"u8))
        {
            throw new WavFormatException("not a RIFF file: big-endian RIFX files are not supported");
        }

        if (got >= 4 && header[..4].SequenceEqual("RF64"u8))
        {
            throw new WavFormatException("not a RIFF file: RF64 (64-bit) files are not supported");
        }

        if (got < 4 || !header[..4].SequenceEqual("RIFF"u8))
        {
            throw new WavFormatException($"not a RIFF file: it starts with {Describe(header[..Math.Min(got, 4)])}");
        }

        if (got < header.Length)
        {
            throw new WavFormatException($"truncated RIFF header: {got} of 12 bytes");
        }

        if (!header[8..12].SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException($"not a WAVE file: the RIFF form type is {Describe(header[8..12])}");
        }
    }

    private static WavFormat ReadFmt(Stream stream, uint size)
    {
        if (size < 16)
        {
            throw new WavFormatException($"fmt chunk too short: {size} bytes, need at least 16");
        }

        Span<byte> fmt = stackalloc byte[ExtensibleFmtLength];
        int wanted = (int)Math.Min(size, (uint)fmt.Length);
        int got = ReadFully(stream, fmt[..wanted]);
        if (got < wanted)
        {
            throw new WavFormatException($"truncated fmt chunk: the file ends {got} bytes into a {size}-byte fmt chunk");
        }

        long rest = size - wanted + (size & 1);
        if (rest > 0 && !Skip(stream, rest))
        {
            throw new WavFormatException($"truncated fmt chunk: the file ends inside a {size}-byte fmt chunk");
        }

        int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        // fmt[8..12] is the byte rate: informational, and often wrong in files from careless writers, so not checked.
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bitsPerSample = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        string where = "";
        if (tag == FormatTagExtensible)
        {
            tag = ReadSubformatTag(fmt[..wanted], size);
            where = " (WAVE_FORMAT_EXTENSIBLE subformat)";
        }

        var encoding = tag switch
        {
            FormatTagPcm => WavEncoding.Pcm16,
            FormatTagMuLaw => WavEncoding.MuLaw,
            _ => throw new WavFormatException(
                $"unsupported format tag {tag} ({FormatTagName(tag)}){where}; supported: 1 (PCM) and 7 (μ-law)"),
        };

        if (channels == 0)
        {
            throw new WavFormatException("invalid channel count 0");
        }

        if (channels > 2)
        {
            throw new WavFormatException($"unsupported channel count {channels}: mono and stereo only");
        }

        if (sampleRate is 0 or > int.MaxValue)
        {
            throw new WavFormatException($"invalid sample rate {sampleRate}");
        }

        int expectedBits = encoding == WavEncoding.Pcm16 ? 16 : 8;
        if (bitsPerSample != expectedBits)
        {
            string name = encoding == WavEncoding.Pcm16 ? "PCM" : "μ-law";
            throw new WavFormatException($"unsupported bits per sample {bitsPerSample}: {name} is supported with {expectedBits} only");
        }

        int expectedAlign = channels * bitsPerSample / 8;
        if (blockAlign != expectedAlign)
        {
            throw new WavFormatException(
                $"block align {blockAlign} does not match channels*bits/8 = {channels}*{bitsPerSample}/8 = {expectedAlign}");
        }

        return new WavFormat((int)sampleRate, channels, encoding);
    }

    private static int ReadSubformatTag(ReadOnlySpan<byte> fmt, uint size)
    {
        if (fmt.Length < ExtensibleFmtLength)
        {
            throw new WavFormatException($"WAVE_FORMAT_EXTENSIBLE fmt chunk too short: {size} bytes, need {ExtensibleFmtLength}");
        }

        ReadOnlySpan<byte> guid = fmt.Slice(SubformatOffset, 16);
        uint data1 = BinaryPrimitives.ReadUInt32LittleEndian(guid);
        if (data1 > 0xFFFF || !guid[4..].SequenceEqual(SubformatGuidTail))
        {
            throw new WavFormatException($"unsupported WAVE_FORMAT_EXTENSIBLE subformat {new Guid(guid)}");
        }

        return (int)data1;
    }

    // Registered tags from mmreg.h, named so an error message says what the file actually is.
    private static string FormatTagName(int tag) => tag switch
    {
        0x0001 => "PCM",
        0x0002 => "Microsoft ADPCM",
        0x0003 => "IEEE float",
        0x0006 => "A-law",
        0x0007 => "μ-law",
        0x0011 => "IMA ADPCM",
        0x0031 => "GSM 6.10",
        0x0050 => "MPEG",
        0x0055 => "MP3",
        0xFFFE => "WAVE_FORMAT_EXTENSIBLE",
        _ => "unknown",
    };

    private static string Describe(ReadOnlySpan<byte> fourCc)
    {
        foreach (byte b in fourCc)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return "bytes " + Convert.ToHexString(fourCc);
            }
        }

        return $"'{System.Text.Encoding.ASCII.GetString(fourCc)}'";
    }

    private static int ReadFully(Stream stream, Span<byte> buffer) =>
        stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);

    /// <summary>Reads up to <paramref name="limit"/> bytes (fewer at end of stream) into a buffer sized to fit.</summary>
    private static byte[] ReadUpTo(Stream stream, long limit, out int length)
    {
        long hint = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 64 * 1024;
        var buffer = new byte[(int)Math.Min(Math.Min(limit, hint), Array.MaxLength)];
        int total = 0;
        while (total < limit)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length == Array.MaxLength)
                {
                    throw new WavFormatException("data chunk too large: more than 2 GiB of audio is not supported");
                }

                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, 4096), Array.MaxLength));
            }

            int read = stream.Read(buffer, total, (int)Math.Min(buffer.Length - total, limit - total));
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        length = total;
        return buffer;
    }

    /// <summary>Skips <paramref name="count"/> bytes; false when the stream ends first.</summary>
    private static bool Skip(Stream stream, long count)
    {
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (count > remaining)
            {
                stream.Position = stream.Length;
                return false;
            }

            stream.Seek(count, SeekOrigin.Current);
            return true;
        }

        Span<byte> scratch = stackalloc byte[1024];
        while (count > 0)
        {
            int read = stream.Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (read == 0)
            {
                return false;
            }

            count -= read;
        }

        return true;
    }
}
