using static VoiceBridge.Audio.Tests.Wav.WavBytes;

namespace VoiceBridge.Audio.Tests.Wav;

public sealed class WavFileTests
{
    [Theory]
    [InlineData(WavEncoding.Pcm16, 1)]
    [InlineData(WavEncoding.Pcm16, 2)]
    [InlineData(WavEncoding.MuLaw, 1)]
    [InlineData(WavEncoding.MuLaw, 2)]
    public void WriteThenRead_ReturnsTheSameAudio(WavEncoding encoding, int channels)
    {
        var format = new WavFormat(encoding == WavEncoding.MuLaw ? 8000 : 24000, channels, encoding);
        short[] samples = TestSignal(frames: 2001, channels); // odd frame count: exercises the μ-law pad byte

        var stream = new MemoryStream();
        WavFile.Write(stream, format, samples);
        stream.Position = 0;
        var audio = WavFile.Read(stream);

        Assert.Equal(format, audio.Format);
        Assert.Equal(2001, audio.FrameCount);
        Assert.False(audio.IsTruncated);
        if (encoding == WavEncoding.Pcm16)
        {
            Assert.Equal(samples, audio.Samples.ToArray());
            Assert.True(audio.MuLawBytes.IsEmpty);
        }
        else
        {
            var codes = new byte[samples.Length];
            MuLaw.Encode(samples, codes);
            Assert.Equal(codes, audio.MuLawBytes.ToArray());
            Assert.Equal(codes.Select(MuLaw.Decode).ToArray(), audio.Samples.ToArray());
        }
    }

    [Fact]
    public void WriteThenRead_ThroughAFile_ReturnsTheSameAudio()
    {
        string path = Path.Combine(Path.GetTempPath(), $"voicebridge-wav-{Guid.NewGuid():N}.wav");
        try
        {
            var format = new WavFormat(16000, 1, WavEncoding.Pcm16);
            short[] samples = TestSignal(frames: 1600, channels: 1);
            WavFile.Write(path, format, samples);

            var audio = WavFile.Read(path);

            Assert.Equal(format, audio.Format);
            Assert.Equal(samples, audio.Samples.ToArray());
            Assert.Equal(TimeSpan.FromMilliseconds(100), audio.Duration);
            Assert.Equal(44 + (1600 * 2), new FileInfo(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Write_Pcm16Mono_ProducesTheCanonical44ByteHeader()
    {
        var stream = new MemoryStream();
        WavFile.Write(stream, new WavFormat(8000, 1, WavEncoding.Pcm16), [1, -1, 0x1234]);

        byte[] expected =
        [
            (byte)'R', (byte)'I', (byte)'F', (byte)'F', 42, 0, 0, 0,       // RIFF size = 36 + 6 data bytes
            (byte)'W', (byte)'A', (byte)'V', (byte)'E',
            (byte)'f', (byte)'m', (byte)'t', (byte)' ', 16, 0, 0, 0,
            1, 0,                                                          // format tag 1 = PCM
            1, 0,                                                          // 1 channel
            0x40, 0x1F, 0, 0,                                              // 8000 Hz
            0x80, 0x3E, 0, 0,                                              // 16000 bytes/s
            2, 0,                                                          // block align
            16, 0,                                                         // bits per sample
            (byte)'d', (byte)'a', (byte)'t', (byte)'a', 6, 0, 0, 0,
            0x01, 0x00, 0xFF, 0xFF, 0x34, 0x12,                            // 1, -1, 0x1234 little-endian
        ];
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Write_MuLawMono_HasFmt18FactChunkAndPadByte()
    {
        var stream = new MemoryStream();
        WavFile.Write(stream, new WavFormat(8000, 1, WavEncoding.MuLaw), [0, 32767, -32768]);

        byte[] expected =
        [
            (byte)'R', (byte)'I', (byte)'F', (byte)'F', 54, 0, 0, 0,       // 4 + 26 (fmt) + 12 (fact) + 8 + 3 data + 1 pad
            (byte)'W', (byte)'A', (byte)'V', (byte)'E',
            (byte)'f', (byte)'m', (byte)'t', (byte)' ', 18, 0, 0, 0,
            7, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x40, 0x1F, 0, 0, 1, 0, 8, 0,   // μ-law, mono, 8000 Hz, 8000 B/s, align 1, 8 bits
            0, 0,                                                          // cbSize
            (byte)'f', (byte)'a', (byte)'c', (byte)'t', 4, 0, 0, 0, 3, 0, 0, 0,
            (byte)'d', (byte)'a', (byte)'t', (byte)'a', 3, 0, 0, 0,
            0xFF, 0x80, 0x00,                                              // silence, +full scale, -full scale
            0,                                                             // pad to an even chunk size
        ];
        Assert.Equal(expected, stream.ToArray());
    }

    [Fact]
    public void Read_SkipsUnknownChunks_IncludingOddSizedOnesWithPadByte()
    {
        byte[] file = Riff(
            Chunk("JUNK", new byte[28]),
            Fmt(1, 2, 44100, 16),
            Chunk("LIST", "INFOISFT\u0003\0\0\0ab\0"u8.ToArray()), // 15 bytes + pad
            Chunk("cue ", [9]),                                   // 1 byte + pad
            Chunk("data", Pcm(100, -100, 200, -200)),
            Chunk("id3 ", [1, 2, 3]));

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.Equal(new WavFormat(44100, 2, WavEncoding.Pcm16), audio.Format);
        Assert.Equal(new short[] { 100, -100, 200, -200 }, audio.Samples.ToArray());
        Assert.False(audio.IsTruncated);
    }

    [Fact]
    public void Read_FromANonSeekableStream_SkipsChunksByReading()
    {
        byte[] file = Riff(Chunk("LIST", new byte[301]), Fmt(7, 1, 8000, 8), Chunk("data", [0xFF, 0x80, 0x00]));

        var audio = WavFile.Read(new NonSeekableStream(new MemoryStream(file)));

        Assert.Equal(new short[] { 0, 32124, -32124 }, audio.Samples.ToArray());
    }

    [Theory]
    [InlineData(1, WavEncoding.Pcm16, 16)]
    [InlineData(7, WavEncoding.MuLaw, 8)]
    public void Read_AcceptsWaveFormatExtensible(int subformatTag, WavEncoding encoding, int bits)
    {
        byte[] data = bits == 16 ? Pcm(1000, -1000) : [0xCE, 0x4E];
        var audio = WavFile.Read(new MemoryStream(Riff(ExtensibleFmt(subformatTag, 2, 8000, bits), Chunk("data", data))));

        Assert.Equal(new WavFormat(8000, 2, encoding), audio.Format);
        Assert.Equal(bits == 16 ? [1000, -1000] : new short[] { 988, -988 }, audio.Samples.ToArray());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Read_StreamingDataSize_MeansToEndOfFile(uint declared)
    {
        byte[] file = Riff(Fmt(1, 1, 8000, 16), Chunk("data", Pcm(5, 6, 7), declaredSize: declared));

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.Equal(new short[] { 5, 6, 7 }, audio.Samples.ToArray());
        Assert.False(audio.IsTruncated);
    }

    [Fact]
    public void Read_TruncatedDataChunk_ReturnsWhatIsThereAndReportsIt()
    {
        byte[] file = Riff(Fmt(1, 2, 8000, 16), Chunk("data", Pcm(1, 2, 3, 4, 5, 6), declaredSize: 100));

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.True(audio.IsTruncated);
        Assert.Equal(new short[] { 1, 2, 3, 4, 5, 6 }, audio.Samples.ToArray());
        Assert.Equal(3, audio.FrameCount);
    }

    [Fact]
    public void Read_DataEndingInsideAFrame_DropsThePartialFrameAndReportsIt()
    {
        // Stereo PCM16 frames are 4 bytes; 10 bytes = 2 frames + half a frame.
        byte[] file = Riff(Fmt(1, 2, 8000, 16), Chunk("data", [.. Pcm(1, 2, 3, 4), 9, 9]));

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.True(audio.IsTruncated);
        Assert.Equal(new short[] { 1, 2, 3, 4 }, audio.Samples.ToArray());
    }

    [Fact]
    public void Read_DataBeforeFmt_IsStillDecoded()
    {
        byte[] file = Riff(Chunk("data", [0xF2, 0x72]), Fmt(7, 1, 8000, 8));

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.Equal(new short[] { 104, -104 }, audio.Samples.ToArray());
    }

    [Fact]
    public void Read_LeavesTheStreamOpen_AndWriteToStreamLeavesItOpen()
    {
        var stream = new MemoryStream();
        WavFile.Write(stream, new WavFormat(8000, 1, WavEncoding.Pcm16), [1]);
        stream.Position = 0;
        WavFile.Read(stream);
        Assert.True(stream.CanRead);
    }

    /// <summary>A 440 Hz tone on the left, 1 kHz on the right, with a little noise; full-scale peaks included.</summary>
    internal static short[] TestSignal(int frames, int channels)
    {
        var random = new Random(7);
        var samples = new short[frames * channels];
        for (int i = 0; i < frames; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                double hz = c == 0 ? 440 : 1000;
                double value = (30000 * Math.Sin(2 * Math.PI * hz * i / 8000)) + random.Next(-500, 500);
                samples[(i * channels) + c] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
            }
        }

        samples[0] = short.MaxValue;
        samples[^1] = short.MinValue;
        return samples;
    }
}
