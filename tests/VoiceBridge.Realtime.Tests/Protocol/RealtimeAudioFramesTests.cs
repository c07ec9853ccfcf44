using System.Text;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Tests.Protocol;

public sealed class RealtimeAudioFramesTests
{
    private const string ClientFile = "openai-realtime-client-events.jsonl";
    private const string ServerFile = "openai-realtime-server-events-function-call-turn.jsonl";

    public static TheoryData<int> AppendLines => [2, 3];

    public static TheoryData<int> DeltaLines => [29, 31, 33, 35];

    [Theory]
    [MemberData(nameof(AppendLines))]
    public void WriteAppend_IsByteIdenticalToTheFixture(int line)
    {
        var fixture = RealtimeFixtures.Line(ClientFile, line);
        Assert.True(RealtimeEventSerializer.TryParse(fixture, out var parsed));
        var audio = Convert.FromBase64String(((InputAudioBufferAppendEvent)parsed).Audio!);

        using var message = RealtimeAudioFrames.WriteInputAudioBufferAppend(audio);

        Assert.Equal(Transport.RealtimeMessageKind.Audio, message.Kind);
        Assert.Equal(Encoding.UTF8.GetString(fixture), Encoding.UTF8.GetString(message.Span));
    }

    [Theory]
    [MemberData(nameof(AppendLines))]
    public void ReadAppend_AgreesWithTheSlowPath(int line)
    {
        var fixture = RealtimeFixtures.Line(ClientFile, line);
        Assert.True(RealtimeEventSerializer.TryParse(fixture, out var parsed));
        var destination = new byte[RealtimeAudioFrames.GetMaxDecodedAudioLength(fixture.Length)];

        Assert.True(RealtimeAudioFrames.TryReadInputAudioBufferAppend(fixture, destination, out var length));

        Assert.Equal(Convert.FromBase64String(((InputAudioBufferAppendEvent)parsed).Audio!), destination.AsSpan(0, length).ToArray());
    }

    [Theory]
    [MemberData(nameof(DeltaLines))]
    public void ReadDelta_AgreesWithTheSlowPath(int line)
    {
        var fixture = RealtimeFixtures.Line(ServerFile, line);
        Assert.True(RealtimeEventSerializer.TryParse(fixture, out var parsed));
        var slow = Assert.IsType<ResponseOutputAudioDeltaEvent>(parsed);
        var destination = new byte[RealtimeAudioFrames.GetMaxDecodedAudioLength(fixture.Length)];

        Assert.True(RealtimeAudioFrames.TryReadOutputAudioDelta(fixture, destination, out var frame));

        Assert.Equal(slow.ResponseId, Encoding.UTF8.GetString(fixture.AsSpan()[frame.ResponseId]));
        Assert.Equal(slow.ItemId, Encoding.UTF8.GetString(fixture.AsSpan()[frame.ItemId]));
        Assert.Equal(slow.OutputIndex, frame.OutputIndex);
        Assert.Equal(slow.ContentIndex, frame.ContentIndex);
        Assert.Equal(Convert.FromBase64String(slow.Delta!), destination.AsSpan(0, frame.AudioLength).ToArray());
    }

    [Theory]
    [MemberData(nameof(DeltaLines))]
    public void WriteDelta_IsByteIdenticalToTheFixture(int line)
    {
        var fixture = RealtimeFixtures.Line(ServerFile, line);
        Assert.True(RealtimeEventSerializer.TryParse(fixture, out var parsed));
        var slow = (ResponseOutputAudioDeltaEvent)parsed;

        using var message = RealtimeAudioFrames.WriteOutputAudioDelta(
            Convert.FromBase64String(slow.Delta!), slow.EventId, slow.ResponseId, slow.ItemId, slow.OutputIndex, slow.ContentIndex);

        Assert.Equal(Encoding.UTF8.GetString(fixture), Encoding.UTF8.GetString(message.Span));
    }

    [Fact]
    public void ReadDelta_DecodesEscapedBase64_AndRejectsOtherEvents()
    {
        var escaped = """{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"\/w\u002B\/"}"""u8;
        var destination = new byte[16];

        Assert.True(RealtimeAudioFrames.TryReadOutputAudioDelta(escaped, destination, out var frame));
        Assert.Equal(Convert.FromBase64String("/w+/"), destination.AsSpan(0, frame.AudioLength).ToArray());
        Assert.False(RealtimeAudioFrames.TryReadOutputAudioDelta("""{"type":"response.output_audio.done","delta":"AAAA"}"""u8, destination, out _));
        Assert.False(RealtimeAudioFrames.TryReadOutputAudioDelta("""{"type":"response.output_audio.delta","delta":"AAAAAAAA"}"""u8, new byte[2], out _));
    }

    [Fact]
    public void ReadDelta_WithAnEscapeThatIsNotValidUtf8_IsRefused_NotThrown()
    {
        // Found by the fuzzer: a lone surrogate escape made the unescape throw out of the upstream loop.
        var lone = """{"type":"response.output_audio.delta","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAAA\ud800"}"""u8;
        var audio = new byte[16];

        Assert.False(RealtimeAudioFrames.TryReadOutputAudioDelta(lone, audio, out _));
    }

    [Fact]
    public void FastPaths_AllocateNothingPerFrame_AfterWarmUp()
    {
        var audio = new byte[160];
        Random.Shared.NextBytes(audio);
        var decoded = new byte[4096];
        var ids = new Utf8IdCache();

        void OneFrame()
        {
            using (var append = RealtimeAudioFrames.WriteInputAudioBufferAppend(audio))
            {
                RealtimeAudioFrames.TryReadInputAudioBufferAppend(append.Span, decoded, out _);
            }

            using var delta = RealtimeAudioFrames.WriteOutputAudioDelta(audio, "event_0001", "resp_1", "item_1", 0, 0);
            RealtimeAudioFrames.TryReadOutputAudioDelta(delta.Span, decoded, out var frame);
            ids.Get(delta.Span[frame.ItemId]);
        }

        for (var i = 0; i < 100; i++)
        {
            OneFrame();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            OneFrame();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void IdCache_ReturnsTheSameStringUntilTheIdChanges()
    {
        var ids = new Utf8IdCache();

        var first = ids.Get("item_1"u8);
        Assert.Same(first, ids.Get("item_1"u8));
        Assert.Equal("item_2", ids.Get("item_2"u8));
    }
}
