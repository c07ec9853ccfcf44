using System.Text.Json;

namespace VoiceBridge.Audio.Tests.G711;

/// <summary>Loads shared/protocols/fixtures/g711-ulaw-vectors.json (a sibling of the repo root).</summary>
internal static class G711Fixtures
{
    private static readonly Lazy<UlawVectors> s_ulaw = new(LoadUlaw);

    public static UlawVectors Ulaw => s_ulaw.Value;

    public static string FixturesDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VoiceBridge.sln")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            throw new InvalidOperationException($"VoiceBridge.sln not found above {AppContext.BaseDirectory}");
        }

        return Path.Combine(dir.Parent.FullName, "shared", "protocols", "fixtures");
    }

    private static UlawVectors LoadUlaw()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturesDirectory(), "g711-ulaw-vectors.json")));
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
