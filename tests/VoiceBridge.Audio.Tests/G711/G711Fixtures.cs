using System.Text.Json;

namespace VoiceBridge.Audio.Tests.G711;

/// <summary>Loads tests/fixtures/g711-ulaw-vectors.json.</summary>
internal static class G711Fixtures
{
    private static readonly Lazy<UlawVectors> s_ulaw = new(LoadUlaw);

    public static UlawVectors Ulaw => s_ulaw.Value;

    private static UlawVectors LoadUlaw()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFixtures.Path("g711-ulaw-vectors.json")));
        var root = doc.RootElement;
        var encode = root.GetProperty("encode").EnumerateArray()
            .Select(e => new UlawVector(
                (short)e.GetProperty("linear").GetInt32(),
                (byte)e.GetProperty("ulaw").GetInt32(),
                (short)e.GetProperty("decodesTo").GetInt32()))
            .ToArray();
        var table = root.GetProperty("decodeTable").EnumerateArray().Select(e => (short)e.GetInt32()).ToArray();
        return new UlawVectors(encode, table);
    }
}

internal sealed record UlawVector(short Linear, byte Code, short DecodesTo);

internal sealed record UlawVectors(IReadOnlyList<UlawVector> Encode, IReadOnlyList<short> DecodeTable);
