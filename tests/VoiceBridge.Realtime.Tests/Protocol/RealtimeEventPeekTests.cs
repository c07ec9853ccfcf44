using System.Text;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Tests.Protocol;

public sealed class RealtimeEventPeekTests
{
    public static TheoryData<string, int> FixtureLines => RealtimeFixtures.AllLines();

    [Theory]
    [MemberData(nameof(FixtureLines))]
    public void Peek_AgreesWithTheFullParse(string file, int line)
    {
        var frame = RealtimeFixtures.Line(file, line);

        Assert.True(RealtimeEventPeek.TryPeek(frame, out var peeked));
        Assert.True(RealtimeEventSerializer.TryParse(frame, out var parsed));

        Assert.Equal(RealtimeEventPeek.FromName(parsed.Type), peeked);
    }

    [Fact]
    public void Peek_FindsTypeAfterOtherProperties_AndMapsBetaNames()
    {
        Assert.True(RealtimeEventPeek.TryPeek("""{"event_id":"e","x":{"type":"error"},"type":"response.audio.delta"}"""u8, out var type));
        Assert.Equal(RealtimeEventType.ResponseOutputAudioDelta, type);
    }

    [Fact]
    public void Peek_AllocatesNothing()
    {
        var frame = Encoding.UTF8.GetBytes("""{"type":"input_audio_buffer.append","audio":"AAAA"}""");
        RealtimeEventPeek.TryPeek(frame, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            RealtimeEventPeek.TryPeek(frame, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
