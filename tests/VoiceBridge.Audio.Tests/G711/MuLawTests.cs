namespace VoiceBridge.Audio.Tests.G711;

public sealed class MuLawTests
{
    [Fact]
    public void Encode_MatchesEveryFixtureVector()
    {
        var vectors = G711Fixtures.Ulaw.Encode;
        Assert.NotEmpty(vectors);
        foreach (var v in vectors)
        {
            Assert.True(MuLaw.Encode(v.Linear) == v.Code, $"Encode({v.Linear}) = 0x{MuLaw.Encode(v.Linear):X2}, fixture 0x{v.Code:X2}");
            Assert.Equal(v.DecodesTo, MuLaw.Decode(v.Code));
        }
    }

    [Fact]
    public void Decode_MatchesFixtureTableForAll256Codes()
    {
        var table = G711Fixtures.Ulaw.DecodeTable;
        Assert.Equal(256, table.Count);
        for (int code = 0; code < 256; code++)
        {
            Assert.True(MuLaw.Decode((byte)code) == table[code], $"Decode(0x{code:X2}) = {MuLaw.Decode((byte)code)}, fixture {table[code]}");
        }
    }

    // The landmark table of docs/protocols/g711-and-resampling.md#the-mu-law-decoder.
    [Theory]
    [InlineData(0, 0xFF, 0)]
    [InlineData(1, 0xFF, 0)]
    [InlineData(-1, 0x7F, 0)]
    [InlineData(100, 0xF2, 104)]
    [InlineData(-100, 0x72, -104)]
    [InlineData(1000, 0xCE, 988)]
    [InlineData(-1000, 0x4E, -988)]
    [InlineData(8000, 0xA0, 7932)]
    [InlineData(-8000, 0x20, -7932)]
    [InlineData(32767, 0x80, 32124)]
    [InlineData(-32768, 0x00, -32124)]
    public void Encode_MatchesDocumentLandmarks(short linear, byte code, short decoded)
    {
        Assert.Equal(code, MuLaw.Encode(linear));
        Assert.Equal(decoded, MuLaw.Decode(code));
    }

    [Fact]
    public void Silence_IsTheCodeForZeroAndDecodesToZero()
    {
        Assert.Equal(MuLaw.Silence, MuLaw.Encode(0));
        Assert.Equal(0, MuLaw.Decode(MuLaw.Silence));
    }

    [Fact]
    public void Encode_NoZeroTrap_MostNegativeInputGivesCode0x00()
    {
        // The 1989 routine's zero-trap would turn 0x00 into 0x02; the pinned variant must not.
        Assert.Equal(0x00, MuLaw.Encode(short.MinValue));
        Assert.Equal(0x00, MuLaw.Encode(-32124));
    }

    [Fact]
    public void EncodeOfDecode_ReturnsTheSameCode_ExceptNegativeZero()
    {
        for (int code = 0; code < 256; code++)
        {
            byte expected = code == 0x7F ? (byte)0xFF : (byte)code;
            Assert.Equal(expected, MuLaw.Encode(MuLaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void RoundTrip_AllInt16Inputs_StayWithinHalfTheirSegmentStep()
    {
        // Encoder segment e starts where |x| + 132 reaches 128 << e; its step is 8 << e (the segment table of
        // docs/protocols/g711-and-resampling.md#the-mu-law-decoder). Inputs beyond the clip level (32635) are compared
        // with the clipped value.
        int worst = 0;
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            int clipped = Math.Clamp(x, -32635, 32635);
            int step = SegmentStep(Math.Abs(clipped));
            int decoded = MuLaw.Decode(MuLaw.Encode((short)x));
            int error = Math.Abs(decoded - clipped);
            Assert.True(error <= step / 2, $"x={x}: decoded {decoded}, error {error} > half step {step / 2}");
            worst = Math.Max(worst, error);
        }

        Assert.Equal(512, worst); // the top segment's half step, reached at the clip level
    }

    [Fact]
    public void Encode_PreservesOrder_AcrossAllInt16Inputs()
    {
        int previous = MuLaw.Decode(MuLaw.Encode(short.MinValue));
        for (int x = short.MinValue + 1; x <= short.MaxValue; x++)
        {
            int decoded = MuLaw.Decode(MuLaw.Encode((short)x));
            Assert.True(decoded >= previous, $"order broken at x={x}: {decoded} < {previous}");
            Assert.True(decoded == 0 || Math.Sign(decoded) == Math.Sign(x), $"sign flipped at x={x}");
            previous = decoded;
        }
    }

    [Fact]
    public void SpanEncode_AgreesWithScalar_ForAllInt16Inputs()
    {
        short[] all = AllInt16();
        var codes = new byte[all.Length];
        MuLaw.Encode(all, codes);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(MuLaw.Encode(all[i]), codes[i]);
        }

        var decoded = new short[codes.Length];
        MuLaw.Decode(codes, decoded);
        for (int i = 0; i < codes.Length; i++)
        {
            Assert.Equal(MuLaw.Decode(codes[i]), decoded[i]);
        }
    }

    [Fact]
    public void SpanVersions_RejectShortDestination()
    {
        Assert.Throws<ArgumentException>(() => MuLaw.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => MuLaw.Decode(new byte[160], new short[159]));
    }

    [Fact]
    public void SpanVersions_WriteOnlyTheSourceLength()
    {
        var codes = new byte[4] { 1, 2, 3, 4 };
        MuLaw.Encode(new short[] { 0, 0 }, codes);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 3, 4 }, codes);

        var pcm = new short[3] { 7, 7, 7 };
        MuLaw.Decode(new byte[] { 0x80 }, pcm);
        Assert.Equal(new short[] { 32124, 7, 7 }, pcm);
    }

    private static int SegmentStep(int magnitude)
    {
        int e = 7;
        while (e > 0 && magnitude + 132 < 128 << e)
        {
            e--;
        }

        return 8 << e;
    }

    internal static short[] AllInt16()
    {
        var all = new short[65536];
        for (int i = 0; i < all.Length; i++)
        {
            all[i] = (short)(i + short.MinValue);
        }

        return all;
    }
}
