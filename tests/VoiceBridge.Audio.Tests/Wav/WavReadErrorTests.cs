using static VoiceBridge.Audio.Tests.Wav.WavBytes;

namespace VoiceBridge.Audio.Tests.Wav;

/// <summary>Every malformed or unsupported file fails with a WavFormatException whose message names the problem.</summary>
public sealed class WavReadErrorTests
{
    private static readonly byte[] s_fmtPcmMono = Fmt(1, 1, 8000, 16);
    private static readonly byte[] s_someData = Chunk("data", Pcm(1, 2, 3));

    [Fact]
    public void EmptyFile_IsRejected() => AssertRejected([], "empty file");

    [Fact]
    public void NotRiff_IsRejected() =>
        AssertRejected("OggS and more"u8.ToArray(), "not a RIFF file: it starts with 'OggS'");

    [Fact]
    public void BinaryGarbage_IsRejected_WithItsFirstBytesInHex() =>
        AssertRejected([0x00, 0x01, 0xFE, 0xFF, 0x10, 0x20], "not a RIFF file: it starts with bytes 0001FEFF");

    [Fact]
    public void BigEndianRifx_IsRejected() =>
        AssertRejected(RiffAs("RIFX", "WAVE", s_fmtPcmMono, s_someData), "big-endian RIFX files are not supported");

    [Fact]
    public void NotWave_IsRejected() =>
        AssertRejected(RiffAs("RIFF", "AVI ", s_fmtPcmMono), "not a WAVE file: the RIFF form type is 'AVI '");

    [Fact]
    public void TruncatedRiffHeader_IsRejected() =>
        AssertRejected(Riff(s_fmtPcmMono, s_someData)[..8], "truncated RIFF header: 8 of 12 bytes");

    [Fact]
    public void TruncatedFmtChunk_IsRejected() =>
        AssertRejected(Riff(s_fmtPcmMono, s_someData)[..30], "truncated fmt chunk: the file ends 10 bytes into a 16-byte fmt chunk");

    [Fact]
    public void TruncatedChunkHeader_IsRejected() =>
        AssertRejected(Riff(s_fmtPcmMono, s_someData)[..40], "truncated chunk header: the file ends 4 bytes into an 8-byte chunk header");

    [Fact]
    public void ShortFmtChunk_IsRejected() =>
        AssertRejected(Riff(Chunk("fmt ", FmtBody(1, 1, 8000, 16, 2)[..14]), s_someData), "fmt chunk too short: 14 bytes, need at least 16");

    [Fact]
    public void MissingFmt_IsRejected() => AssertRejected(Riff(Chunk("LIST", [1, 2, 3, 4]), s_someData), "no fmt chunk");

    [Fact]
    public void MissingData_IsRejected() => AssertRejected(Riff(s_fmtPcmMono, Chunk("LIST", [1, 2, 3, 4])), "no data chunk");

    [Fact]
    public void FloatFormat_IsRejected() =>
        AssertRejected(Riff(Fmt(3, 1, 48000, 32), s_someData), "unsupported format tag 3 (IEEE float)");

    [Fact]
    public void ALawFormat_IsRejected() =>
        AssertRejected(Riff(Fmt(6, 1, 8000, 8), s_someData), "unsupported format tag 6 (A-law)");

    [Fact]
    public void ExtensibleFloat_IsRejected() =>
        AssertRejected(Riff(ExtensibleFmt(3, 2, 48000, 32), s_someData),
            "unsupported format tag 3 (IEEE float) (WAVE_FORMAT_EXTENSIBLE subformat)");

    [Fact]
    public void ExtensibleWithForeignSubformatGuid_IsRejected()
    {
        byte[] fmt = ExtensibleFmt(1, 1, 8000, 16);
        fmt[^1] ^= 0xFF; // no longer the KSDATAFORMAT_SUBTYPE base GUID
        AssertRejected(Riff(fmt, s_someData), "unsupported WAVE_FORMAT_EXTENSIBLE subformat");
    }

    [Fact]
    public void Pcm24Bit_IsRejected() =>
        AssertRejected(Riff(Fmt(1, 1, 48000, 24), s_someData), "unsupported bits per sample 24: PCM is supported with 16 only");

    [Fact]
    public void MuLaw16Bit_IsRejected() =>
        AssertRejected(Riff(Fmt(7, 1, 8000, 16), s_someData), "unsupported bits per sample 16: μ-law is supported with 8 only");

    [Fact]
    public void ZeroChannels_IsRejected() =>
        AssertRejected(Riff(Fmt(1, 0, 8000, 16, blockAlign: 2), s_someData), "invalid channel count 0");

    [Fact]
    public void ThreeChannels_IsRejected() =>
        AssertRejected(Riff(Fmt(1, 3, 8000, 16), s_someData), "unsupported channel count 3: mono and stereo only");

    [Fact]
    public void ZeroSampleRate_IsRejected() =>
        AssertRejected(Riff(Fmt(1, 1, 0, 16), s_someData), "invalid sample rate 0");

    [Fact]
    public void BlockAlignMismatch_IsRejected() =>
        AssertRejected(Riff(Fmt(1, 2, 8000, 16, blockAlign: 2), s_someData),
            "block align 2 does not match channels*bits/8 = 2*16/8 = 4");

    [Fact]
    public void ErrorsAreIOExceptions_SoOneCatchCoversOpenAndParseFailures()
    {
        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream([])));
        Assert.IsAssignableFrom<IOException>(error);
    }

    private static void AssertRejected(byte[] file, string expectedMessage)
    {
        var error = Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream(file)));
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }
}
