namespace VoiceBridge.Audio.Tests.G711;

public sealed class ALawTests
{
    [Fact]
    public void Silence_IsTheCodeForZeroAndDecodesToPlus8()
    {
        Assert.Equal(0xD5, ALaw.Silence);
        Assert.Equal(ALaw.Silence, ALaw.Encode(0));
        Assert.Equal(8, ALaw.Decode(ALaw.Silence));
    }

    [Theory]
    [InlineData(0, 0xD5, 8)]
    [InlineData(-1, 0x55, -8)]
    [InlineData(15, 0xD5, 8)]
    [InlineData(16, 0xD4, 24)]
    [InlineData(256, 0xC5, 264)]
    [InlineData(32767, 0xAA, 32256)]
    [InlineData(-32768, 0x2A, -32256)]
    public void Encode_MatchesLandmarks(short linear, byte code, short decoded)
    {
        Assert.Equal(code, ALaw.Encode(linear));
        Assert.Equal(decoded, ALaw.Decode(code));
    }

    [Fact]
    public void Decode_MaxMagnitudeIs32256_AndNoCodeDecodesToZero()
    {
        int max = 0;
        for (int code = 0; code < 256; code++)
        {
            int d = ALaw.Decode((byte)code);
            Assert.NotEqual(0, d);
            Assert.Equal((code & 0x80) != 0, d > 0); // set sign bit = positive
            max = Math.Max(max, Math.Abs(d));
        }

        Assert.Equal(32256, max);
    }

    [Fact]
    public void EncodeOfDecode_ReturnsTheSameCode_ForAll256Codes()
    {
        for (int code = 0; code < 256; code++)
        {
            Assert.Equal((byte)code, ALaw.Encode(ALaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void RoundTrip_AllInt16Inputs_StayWithinHalfTheirSegmentStep()
    {
        // Segments 0 and 1 (magnitude < 512) have step 16; each later segment doubles it, up to 1024.
        // Negative inputs are quantised as -x - 1 (docs/protocols/g711-and-resampling.md#a-law).
        int worst = 0;
        for (int x = short.MinValue; x <= short.MaxValue; x++)
        {
            int magnitude = x >= 0 ? x : -x - 1;
            int step = magnitude < 512 ? 16 : 16 << (31 - int.LeadingZeroCount(magnitude) - 8);
            int decoded = ALaw.Decode(ALaw.Encode((short)x));
            int error = Math.Abs(decoded - x);
            Assert.True(error <= step / 2, $"x={x}: decoded {decoded}, error {error} > half step {step / 2}");
            worst = Math.Max(worst, error);
        }

        Assert.Equal(512, worst);
    }

    [Fact]
    public void Encode_PreservesOrder_AcrossAllInt16Inputs()
    {
        int previous = ALaw.Decode(ALaw.Encode(short.MinValue));
        for (int x = short.MinValue + 1; x <= short.MaxValue; x++)
        {
            int decoded = ALaw.Decode(ALaw.Encode((short)x));
            Assert.True(decoded >= previous, $"order broken at x={x}: {decoded} < {previous}");
            Assert.True(Math.Sign(decoded) == (x >= 0 ? 1 : -1), $"sign wrong at x={x}");
            previous = decoded;
        }
    }

    [Fact]
    public void SpanEncode_AgreesWithScalar_ForAllInt16Inputs()
    {
        short[] all = MuLawTests.AllInt16();
        var codes = new byte[all.Length];
        ALaw.Encode(all, codes);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal(ALaw.Encode(all[i]), codes[i]);
        }

        var decoded = new short[codes.Length];
        ALaw.Decode(codes, decoded);
        for (int i = 0; i < codes.Length; i++)
        {
            Assert.Equal(ALaw.Decode(codes[i]), decoded[i]);
        }
    }

    [Fact]
    public void SpanVersions_RejectShortDestination()
    {
        Assert.Throws<ArgumentException>(() => ALaw.Encode(new short[160], new byte[159]));
        Assert.Throws<ArgumentException>(() => ALaw.Decode(new byte[160], new short[159]));
    }
}
