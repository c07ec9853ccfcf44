using CsCheck;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Fuzzing;

/// <summary>Property-based fuzzing of the Twilio readers with mutated fixture messages: no throw, no overrun.</summary>
public sealed class TwilioParserFuzzTests
{
    private const int Iterations = 1000;

    private static readonly Gen<byte[]> Inputs = MessageMutations.Of(MessageMutations.FixtureMessages());

    [Fact]
    public void Reader_NeverThrows_AndAnAcceptedPayloadFitsTheBuffer()
    {
        Inputs.Sample(json =>
        {
            var audio = new byte[64 * 1024];
            var status = TwilioReader.Read(json, audio, out var frame);
            if (status == TwilioReadStatus.Ok)
            {
                Assert.InRange(frame.PayloadLength, 0, audio.Length);
                Assert.NotEqual(TwilioEvent.Unknown, frame.Event);
            }

            // The frame-sized buffer the session uses for one 20 ms frame: too small is a status, never an overrun.
            var small = new byte[160];
            if (TwilioReader.Read(json, small, out var tight) == TwilioReadStatus.Ok)
            {
                Assert.InRange(tight.PayloadLength, 0, small.Length);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void StartReader_NeverThrows()
    {
        Inputs.Sample(json => _ = TwilioStartReader.TryRead(json), iter: Iterations);
    }
}
