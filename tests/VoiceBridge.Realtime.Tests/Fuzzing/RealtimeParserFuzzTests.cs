using System.Text;
using CsCheck;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Tests.Protocol;

namespace VoiceBridge.Realtime.Tests.Fuzzing;

/// <summary>
/// Property-based fuzzing (CsCheck) of the Realtime parsers with mutated fixture events: no input makes them throw,
/// and what they report stays inside the input and the buffers they were given.
/// </summary>
public sealed class RealtimeParserFuzzTests
{
    // Modest: the suite stays fast (about a second per property on the shared 2-core machine); CsCheck shrinks any failure to a small input.
    private const int Iterations = 1000;

    private static readonly byte[][] Seeds =
    [
        .. RealtimeFixtures.OpenAiFiles.SelectMany(RealtimeFixtures.Lines).Select(Encoding.UTF8.GetBytes),
        .. new[]
        {
            """{"type":"response.output_audio.delta","event_id":"e1","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"AAABAAIAAwA="}""",
            """{"type":"input_audio_buffer.append","audio":"AAABAAIAAwA=","event_id":"c1"}""",
            """{"type":"response.output_audio.delta","delta":"","response_id":"","item_id":"x","output_index":-1,"content_index":99999999999}""",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    private static readonly Gen<byte[]> Inputs = Mutations.Of(Seeds);

    [Fact]
    public void Peek_NeverThrows_AndAgreesWithTheFullParserOnTheType()
    {
        Inputs.Sample(json =>
        {
            var peeked = RealtimeEventPeek.TryPeek(json, out var type);
            if (RealtimeEventSerializer.TryParse(json, out var parsed) && peeked && type != RealtimeEventType.Unknown)
            {
                Assert.Equal(RealtimeEventPeek.FromName(parsed.Type), type);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void TryParse_NeverThrows_AndWhatItParsesSurvivesARoundTrip()
    {
        Inputs.Sample(json =>
        {
            if (RealtimeEventSerializer.TryParse(json, out var parsed))
            {
                var written = RealtimeEventSerializer.ToUtf8Bytes(parsed);
                Assert.True(RealtimeEventSerializer.TryParse(written, out var again), Encoding.UTF8.GetString(written));
                Assert.Equal(parsed.Type, again.Type);
            }
        }, iter: Iterations);
    }

    [Fact]
    public void AudioFrameReaders_NeverThrow_AndStayInsideTheirBuffers()
    {
        Inputs.Sample(json =>
        {
            var audio = new byte[RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length)];
            if (RealtimeAudioFrames.TryReadOutputAudioDelta(json, audio, out var frame))
            {
                Assert.InRange(frame.AudioLength, 0, audio.Length);
                Assert.InRange(frame.ResponseId.End.GetOffset(json.Length), 0, json.Length);
                Assert.InRange(frame.ItemId.End.GetOffset(json.Length), 0, json.Length);
            }

            if (RealtimeAudioFrames.TryReadInputAudioBufferAppend(json, audio, out var length))
            {
                Assert.InRange(length, 0, audio.Length);
            }

            // A destination too small for the payload is a refusal, not an overrun.
            var small = new byte[4];
            if (RealtimeAudioFrames.TryReadOutputAudioDelta(json, small, out var tight))
            {
                Assert.InRange(tight.AudioLength, 0, small.Length);
            }
        }, iter: Iterations);
    }
}
