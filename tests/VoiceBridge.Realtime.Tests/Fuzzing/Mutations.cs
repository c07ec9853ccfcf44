using CsCheck;

namespace VoiceBridge.Realtime.Tests.Fuzzing;

/// <summary>
/// Fuzz inputs: real protocol messages (the shared fixtures) with a few byte-level mutations each (flip, delete,
/// insert, truncate, duplicate a slice), and now and then plain random bytes. Mutations of valid messages reach far
/// deeper into a parser than random bytes, which mostly fail at the first character.
/// </summary>
internal static class Mutations
{
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds)
    {
        var mutation = Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Byte, static (op, at, value) => (op, at, value));
        var mutated = Gen.Select(Gen.Int[0, seeds.Count - 1], mutation.Array[0, 6], (seed, ops) => Apply(seeds[seed], ops));
        return Gen.Frequency((4, mutated), (1, Gen.Byte.Array[0, 256]), (1, Gen.Select(Gen.Int[0, seeds.Count - 1], seed => seeds[seed])));
    }

    public static byte[] Apply(byte[] seed, (int Op, int At, byte Value)[] ops)
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
                    // Structural bytes are the interesting insertions for a JSON reader.
                    bytes.Insert(i, (value % 4) switch { 0 => (byte)'"', 1 => (byte)'{', 2 => (byte)'\\', _ => value });
                    break;
                case 3:
                    bytes.RemoveRange(i, bytes.Count - i);
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(1 + value, bytes.Count - i);
                    bytes.InsertRange(i, bytes.GetRange(i, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
