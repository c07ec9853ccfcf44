using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoiceBridge.Audio;

/// <summary>
/// G.711 A-law (PCMA) between 16-bit linear PCM and 8-bit codes.
/// </summary>
/// <remarks>
/// Formulation of docs/protocols/g711-and-resampling.md#a-law (SpanDSP / Sun g711.c lineage) on the 16-bit magnitude.
/// Codes carry the even-bit inversion (XOR 0x55) and a set sign bit means positive. A-law has no exact zero: linear 0
/// encodes to <see cref="Silence"/>, which decodes to +8. Decoded magnitudes reach 32256. Checked while writing it:
/// identical to CPython's audioop.lin2alaw / alaw2lin for all 65,536 inputs and all 256 codes.
/// </remarks>
public static class ALaw
{
    /// <summary>The A-law idle code (0x80 ^ 0x55), what linear 0 encodes to; decodes to +8.</summary>
    public const byte Silence = 0xD5;

    private static readonly short[] s_decodeTable = BuildDecodeTable();

    /// <summary>Encodes one 16-bit linear sample to an A-law code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Encode(short sample)
    {
        int s = sample;
        int negative = s >> 31; // 0 or -1
        // Negative samples use -sample - 1 (= ~sample), so -32768 maps to 32767 without overflow.
        int magnitude = s ^ negative;
        int mask = 0xD5 ^ (negative & 0x80);
        // Segment = highest set bit of (magnitude | 0xFF) minus 7, i.e. 0..7 (Log2 replaces the segment table).
        int segment = BitOperations.Log2((uint)(magnitude | 0xFF)) - 7;
        // Segments 0 and 1 share the step 16 (shift 4); segment n >= 1 shifts by n + 3.
        int mantissa = (magnitude >> (Math.Max(segment, 1) + 3)) & 0x0F;
        return (byte)(((segment << 4) | mantissa) ^ mask);
    }

    /// <summary>Decodes one A-law code to a 16-bit linear sample (range ±32256, never 0).</summary>
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
            int a = code ^ 0x55;
            int t = (a & 0x0F) << 4;
            int segment = (a & 0x70) >> 4;
            int magnitude = segment == 0 ? t + 8 : (t + 0x108) << (segment - 1);
            table[code] = (short)((a & 0x80) != 0 ? magnitude : -magnitude);
        }

        return table;
    }
}
