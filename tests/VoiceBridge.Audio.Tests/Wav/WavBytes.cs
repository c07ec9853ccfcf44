using System.Buffers.Binary;
using System.Text;

namespace VoiceBridge.Audio.Tests.Wav;

/// <summary>Composes RIFF/WAVE byte images by hand, so the reader is tested against files we did not write.</summary>
internal static class WavBytes
{
    public static byte[] Riff(params byte[][] chunks) => RiffAs("RIFF", "WAVE", chunks);

    public static byte[] RiffAs(string magic, string form, params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        return [.. Encoding.ASCII.GetBytes(magic), .. U32((uint)(4 + body.Length)), .. Encoding.ASCII.GetBytes(form), .. body];
    }

    /// <summary>A chunk with its size field; odd-sized bodies get the RIFF pad byte.</summary>
    public static byte[] Chunk(string id, byte[] body, uint? declaredSize = null)
    {
        byte[] pad = body.Length % 2 == 1 && declaredSize is null ? [0] : [];
        return [.. Encoding.ASCII.GetBytes(id), .. U32(declaredSize ?? (uint)body.Length), .. body, .. pad];
    }

    public static byte[] Fmt(int tag, int channels, int sampleRate, int bits, int? blockAlign = null) =>
        Chunk("fmt ", FmtBody(tag, channels, sampleRate, bits, blockAlign ?? (channels * bits / 8)));

    public static byte[] FmtBody(int tag, int channels, int sampleRate, int bits, int blockAlign) =>
        [.. U16(tag), .. U16(channels), .. U32((uint)sampleRate), .. U32((uint)(sampleRate * blockAlign)),
         .. U16(blockAlign), .. U16(bits)];

    /// <summary>A WAVE_FORMAT_EXTENSIBLE fmt chunk whose subformat GUID carries <paramref name="subformatTag"/>.</summary>
    public static byte[] ExtensibleFmt(int subformatTag, int channels, int sampleRate, int bits)
    {
        var guid = new Guid($"{subformatTag:x8}-0000-0010-8000-00aa00389b71").ToByteArray();
        return Chunk("fmt ", [.. FmtBody(0xFFFE, channels, sampleRate, bits, channels * bits / 8),
            .. U16(22), .. U16(bits), .. U32(channels == 1 ? 0x4u : 0x3u), .. guid]);
    }

    public static byte[] Pcm(params short[] samples) => samples.SelectMany(s => U16((ushort)s)).ToArray();

    public static byte[] U16(int value)
    {
        var b = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        return b;
    }

    public static byte[] U32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return b;
    }
}
