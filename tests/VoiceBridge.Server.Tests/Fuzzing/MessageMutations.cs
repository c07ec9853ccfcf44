using CsCheck;

namespace VoiceBridge.Server.Tests.Fuzzing;

/// <summary>Protocol messages (seeds such as the shared Twilio fixture) with byte-level mutations, and some random bytes.</summary>
internal static class MessageMutations
{
    public static byte[][] FixtureMessages(bool withStop = true) =>
    [
        .. File.ReadAllLines(SharedFixtures.Path("twilio-media-stream-from-twilio.jsonl"))
            .Where(line => line.Length > 0 && (withStop || !line.Contains("\"stop\"", StringComparison.Ordinal)))
            .Select(System.Text.Encoding.UTF8.GetBytes),
    ];

    public static Gen<byte[]> Of(byte[][] seeds)
    {
        var mutation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte, static (op, at, value) => (op, at, value));
        var mutated = Gen.Select(Gen.Int[0, seeds.Length - 1], mutation.Array[0, 5], (seed, ops) => Apply(seeds[seed], ops));
        return Gen.Frequency((5, mutated), (1, Gen.Byte.Array[0, 200]));
    }

    private static byte[] Apply(byte[] seed, (int Op, int At, byte Value)[] ops)
    {
        var bytes = new List<byte>(seed);
        foreach (var (op, at, value) in ops)
        {
            var i = bytes.Count == 0 ? 0 : at % bytes.Count;
            switch (op)
            {
                case 0 when bytes.Count > 0:
                    bytes[i] = value;
                    break;
                case 1 when bytes.Count > 0:
                    bytes.RemoveRange(i, Math.Min(1 + (value % 8), bytes.Count - i));
                    break;
                case 2:
                    bytes.Insert(i, (value % 3) switch { 0 => (byte)'"', 1 => (byte)'{', _ => value });
                    break;
                default:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
            }
        }

        return [.. bytes];
    }
}
