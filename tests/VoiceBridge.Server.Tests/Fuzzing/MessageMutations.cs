using CsCheck;
using VoiceBridge.Realtime.Tests.Fuzzing;

namespace VoiceBridge.Server.Tests.Fuzzing;

/// <summary>Protocol messages (seeds such as the shared Twilio fixture) with byte-level mutations, and some random bytes.</summary>
internal static class MessageMutations
{
    public static byte[][] FixtureMessages(bool withStop = true) =>
    [
        .. File.ReadAllLines(TestFixtures.Path("twilio-media-stream-from-twilio.jsonl"))
            .Where(line => line.Length > 0 && (withStop || !line.Contains("\"stop\"", StringComparison.Ordinal)))
            .Select(System.Text.Encoding.UTF8.GetBytes),
    ];

    public static Gen<byte[]> Of(byte[][] seeds) => Mutations.Of(seeds);
}
