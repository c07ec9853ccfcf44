namespace VoiceBridge.Audio.Tests.Wav;

public sealed class WavWriterTests
{
    [Theory]
    [InlineData(WavEncoding.Pcm16, 2)]
    [InlineData(WavEncoding.MuLaw, 1)]
    public void SeveralWrites_ProduceTheSameFileAsOneWrite(WavEncoding encoding, int channels)
    {
        var format = new WavFormat(8000, channels, encoding);
        short[] samples = WavFileTests.TestSignal(frames: 5001, channels); // bigger than the writer's 4 KiB scratch

        var once = new MemoryStream();
        WavFile.Write(once, format, samples);

        var pieces = new MemoryStream();
        using (var writer = new WavWriter(pieces, format, leaveOpen: true))
        {
            int frame = channels;
            int[] cuts = [0, 160 * frame, 161 * frame, 3000 * frame, 3000 * frame, samples.Length];
            for (int i = 1; i < cuts.Length; i++)
            {
                writer.Write(samples.AsSpan(cuts[i - 1]..cuts[i]));
                writer.Flush(); // flushing between writes must not change the result
            }

            Assert.Equal(5001, writer.FramesWritten);
        }

        Assert.Equal(once.ToArray(), pieces.ToArray());
    }

    [Fact]
    public async Task AsyncWrites_ProduceTheSameFileAsSyncWrites()
    {
        var ct = TestContext.Current.CancellationToken;
        var format = new WavFormat(24000, 1, WavEncoding.Pcm16);
        short[] samples = WavFileTests.TestSignal(frames: 4800, channels: 1);

        var sync = new MemoryStream();
        WavFile.Write(sync, format, samples);

        var async = new MemoryStream();
        await using (var writer = new WavWriter(async, format, leaveOpen: true))
        {
            await writer.WriteAsync(samples.AsMemory(0, 480), ct);
            await writer.FlushAsync(ct);
            await writer.WriteAsync(samples.AsMemory(480), ct);
        }

        Assert.Equal(sync.ToArray(), async.ToArray());
    }

    [Fact]
    public async Task RawMuLawBytes_ProduceTheSameFileAsEncodingShorts()
    {
        var ct = TestContext.Current.CancellationToken;
        var format = new WavFormat(8000, 1, WavEncoding.MuLaw);
        short[] samples = WavFileTests.TestSignal(frames: 321, channels: 1);
        var codes = new byte[samples.Length];
        MuLaw.Encode(samples, codes);

        var encoded = new MemoryStream();
        WavFile.Write(encoded, format, samples);

        var raw = new MemoryStream();
        await using (var writer = new WavWriter(raw, format, leaveOpen: true))
        {
            writer.WriteMuLaw(codes.AsSpan(0, 160));
            await writer.WriteMuLawAsync(codes.AsMemory(160), ct);
        }

        Assert.Equal(encoded.ToArray(), raw.ToArray());
    }

    [Fact]
    public void FileCutOffBeforeAnyFlush_IsStillReadable()
    {
        var stream = new MemoryStream();
        using var writer = new WavWriter(stream, new WavFormat(8000, 1, WavEncoding.MuLaw), leaveOpen: true);
        writer.WriteMuLaw([0xFF, 0x80, 0x00]);

        // What a crashed process would leave on disk: the header still says "length unknown".
        var audio = WavFile.Read(new MemoryStream(stream.ToArray()));

        Assert.Equal(new short[] { 0, 32124, -32124 }, audio.Samples.ToArray());
        Assert.False(audio.IsTruncated);
    }

    [Fact]
    public void Flush_DeclaresEverythingWrittenSoFar()
    {
        var stream = new MemoryStream();
        using var writer = new WavWriter(stream, new WavFormat(8000, 1, WavEncoding.Pcm16), leaveOpen: true);
        writer.Write([1, 2, 3]);
        writer.Flush();

        byte[] snapshot = stream.ToArray();

        Assert.Equal(44 - 8 + 6, BitConverter.ToInt32(snapshot, 4));
        Assert.Equal(6, BitConverter.ToInt32(snapshot, 40));
        Assert.Equal(new short[] { 1, 2, 3 }, WavFile.Read(new MemoryStream(snapshot)).Samples.ToArray());
    }

    [Fact]
    public void NonSeekableStream_KeepsStreamingSizes_AndReadsBack()
    {
        var inner = new MemoryStream();
        using (var writer = new WavWriter(new NonSeekableStream(inner), new WavFormat(8000, 2, WavEncoding.Pcm16)))
        {
            writer.Write([1, -1, 2, -2]);
        }

        byte[] file = inner.ToArray();
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(file, 4));
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(file, 40));
        Assert.Equal(new short[] { 1, -1, 2, -2 }, WavFile.Read(new MemoryStream(file)).Samples.ToArray());
    }

    [Fact]
    public void Create_WritesAFileThatGrowsAndIsFinishedOnDispose()
    {
        string path = Path.Combine(Path.GetTempPath(), $"voicebridge-rec-{Guid.NewGuid():N}.wav");
        try
        {
            using (var writer = WavWriter.Create(path, new WavFormat(8000, 1, WavEncoding.MuLaw)))
            {
                for (int frame = 0; frame < 50; frame++)
                {
                    writer.WriteMuLaw(Enumerable.Repeat(MuLaw.Silence, 160).ToArray());
                }
            }

            var audio = WavFile.Read(path);
            Assert.Equal(TimeSpan.FromSeconds(1), audio.Duration);
            Assert.All(audio.Samples.ToArray(), s => Assert.Equal(0, s));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Dispose_ClosesTheStreamUnlessLeftOpen()
    {
        var closed = new MemoryStream();
        new WavWriter(closed, new WavFormat(8000, 1, WavEncoding.Pcm16)).Dispose();
        Assert.False(closed.CanWrite);

        var open = new MemoryStream();
        var writer = new WavWriter(open, new WavFormat(8000, 1, WavEncoding.Pcm16), leaveOpen: true);
        writer.Dispose();
        writer.Dispose(); // idempotent
        Assert.True(open.CanWrite);
        Assert.Throws<ObjectDisposedException>(() => writer.Write([1]));
    }

    [Fact]
    public void RawBytes_OnAPcm16File_AreRefused()
    {
        using var writer = new WavWriter(new MemoryStream(), new WavFormat(8000, 1, WavEncoding.Pcm16));
        var error = Assert.Throws<InvalidOperationException>(() => writer.WriteMuLaw([0xFF]));
        Assert.Contains("PCM16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PartialStereoFrame_IsRefused()
    {
        using var writer = new WavWriter(new MemoryStream(), new WavFormat(8000, 2, WavEncoding.Pcm16));
        Assert.Throws<ArgumentException>(() => writer.Write([1, 2, 3]));
        Assert.Equal(0, writer.FramesWritten);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(8000, 0)]
    [InlineData(8000, 3)]
    public void UnwritableFormat_IsRefused(int sampleRate, int channels) =>
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new WavWriter(new MemoryStream(), new WavFormat(sampleRate, channels, WavEncoding.Pcm16)));
}
