using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoiceBridge.Audio;

/// <summary>
/// G.711 μ-law (PCMU, Twilio's media format) between 16-bit linear PCM and 8-bit codes.
/// </summary>
/// <remarks>
/// The encoder is the 16-bit formulation (Reese &amp; Campbell 1989, SpanDSP): BIAS 0x84, magnitude clipped at
/// 32635, no zero-trap — so linear 0 encodes to <see cref="Silence"/> and −32768 to 0x00. It is pinned bit-exact
/// against tests/fixtures/g711-ulaw-vectors.json (see ITU-T G.711;
/// docs/protocols/g711-and-resampling.md#the-mu-law-encoder and #the-mu-law-decoder). Decoded values span ±32124; 0xFF
/// and 0x7F both decode to 0.
/// </remarks>
public static class MuLaw
{
    /// <summary>The μ-law code for linear 0 ("+0"); pad or synthesize silence with it.</summary>
    public const byte Silence = 0xFF;

    // CLIP + BIAS = 32767: the biased magnitude always fits in 15 bits, so the exponent never overflows 7.
    private const int Bias = 0x84;
    private const int Clip = 32635;

    // 256 entries indexed by the code byte; one load per decoded sample.
    private static readonly short[] s_decodeTable = BuildDecodeTable();

    /// <summary>Encodes one 16-bit linear sample to a μ-law code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Encode(short sample)
    {
        int s = sample;
        int negative = s >> 31; // 0 or -1
        int magnitude = Math.Min((s ^ negative) - negative, Clip) + Bias;
        // Segment = position of the highest set bit among bits 7..14. Log2 (lzcnt/bsr) replaces the classic
        // 256-entry segment table indexed by (magnitude >> 7); magnitude >= 132, so the result is 0..7.
        int exponent = BitOperations.Log2((uint)magnitude) - 7;
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte)~((negative & 0x80) | (exponent << 4) | mantissa);
    }

    /// <summary>Decodes one μ-law code to a 16-bit linear sample (range ±32124).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Decode(byte code) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_decodeTable), code);

    /// <summary>Encodes <paramref name="pcm"/> into the first <c>pcm.Length</c> bytes of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="pcm"/>.</exception>
    public static void Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        G711Guard.EnsureDestinationFits(pcm.Length, destination.Length, nameof(destination));

        for (int i = 0; i < pcm.Length; i++)
        {
            destination[i] = Encode(pcm[i]);
        }
    }

    /// <summary>Decodes <paramref name="encoded"/> into the first <c>encoded.Length</c> samples of <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <paramref name="encoded"/>.</exception>
    public static void Decode(ReadOnlySpan<byte> encoded, Span<short> destination) =>
        G711Guard.DecodeWithTable(encoded, destination, s_decodeTable, nameof(destination));

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            int u = ~code & 0xFF;
            int exponent = (u >> 4) & 0x07;
            int mantissa = u & 0x0F;
            int magnitude = (((mantissa << 3) + Bias) << exponent) - Bias;
            table[code] = (short)((u & 0x80) != 0 ? -magnitude : magnitude);
        }

        return table;
    }
}
