using System.Text;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Tests.Protocol;

public sealed class RealtimeEventSerializerTests
{
    public static TheoryData<string, int> FixtureLines => RealtimeFixtures.AllLines();

    [Theory]
    [MemberData(nameof(FixtureLines))]
    public void RoundTrip_EveryFixtureLine_KeepsTheJsonTree(string file, int line)
    {
        var original = RealtimeFixtures.Line(file, line);

        Assert.True(RealtimeEventSerializer.TryParse(original, out var parsed));
        var written = RealtimeEventSerializer.ToUtf8Bytes(parsed);

        Assert.True(JsonTree.Equal(original, written, out var difference), $"{file}:{line} {difference}\n{Encoding.UTF8.GetString(written)}");
    }

    [Fact]
    public void Parse_FixtureTypes_BecomeTheirRecords_AndOnlyUnmodelledOnesAreUnknown()
    {
        var unknownTypes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in RealtimeFixtures.OpenAiFiles)
        {
            foreach (var line in RealtimeFixtures.Lines(file))
            {
                Assert.True(RealtimeEventSerializer.TryParse(Encoding.UTF8.GetBytes(line), out var parsed));
                if (parsed is UnknownRealtimeEvent unknown)
                {
                    unknownTypes.Add(unknown.Type);
                }
            }
        }

        Assert.Equal(["rate_limits.updated"], unknownTypes);
    }

    [Fact]
    public void Parse_SessionUpdateFixture_ExposesTheGaSessionFields()
    {
        Assert.True(RealtimeEventSerializer.TryParse(RealtimeFixtures.Line("openai-realtime-client-events.jsonl", 1), out var parsed));

        var update = Assert.IsType<SessionUpdateEvent>(parsed);
        Assert.Equal("client_0001", update.EventId);
        var session = update.Session!;
        Assert.Equal("realtime", session.Type);
        Assert.Equal(RealtimeAudioFormat.PcmuType, session.Audio!.Input!.Format!.Type);
        Assert.Equal(RealtimeAudioFormat.PcmuType, session.Audio.Output!.Format!.Type);
        Assert.Equal("marin", session.Audio.Output.Voice!.Name);
        var vad = session.Audio.Input.TurnDetection;
        Assert.True(vad.IsPresent);
        Assert.Equal(RealtimeTurnDetection.ServerVad, vad.Value!.Type);
        Assert.Equal(500, vad.Value.SilenceDurationMs);
        Assert.True(vad.Value.InterruptResponse);
        Assert.Equal("gpt-4o-mini-transcribe", session.Audio.Input.Transcription.Value!.Model);
        Assert.Equal("lookup_order", Assert.Single(session.Tools!).Name);
        Assert.Equal("auto", session.ToolChoice!.Mode);
    }

    [Fact]
    public void TurnDetection_NullIsKeptDistinctFromAbsent()
    {
        var withNull = """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":null}}}}"""u8;
        var absent = """{"type":"session.update","session":{"type":"realtime","audio":{"input":{}}}}"""u8;

        Assert.True(RealtimeEventSerializer.TryParse(withNull, out var a));
        Assert.True(RealtimeEventSerializer.TryParse(absent, out var b));
        var nullVad = ((SessionUpdateEvent)a).Session!.Audio!.Input!.TurnDetection;
        var absentVad = ((SessionUpdateEvent)b).Session!.Audio!.Input!.TurnDetection;

        Assert.True(nullVad.IsPresent);
        Assert.Null(nullVad.Value);
        Assert.False(absentVad.IsPresent);
        Assert.Contains("\"turn_detection\":null", Encoding.UTF8.GetString(RealtimeEventSerializer.ToUtf8Bytes(a)), StringComparison.Ordinal);
        Assert.DoesNotContain("turn_detection", Encoding.UTF8.GetString(RealtimeEventSerializer.ToUtf8Bytes(b)), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownEvent_IsCarriedThroughByteIdentical()
    {
        var frame = """{ "type" : "response.mcp_call.in_progress", "event_id":"event_9", "x":[1, 2.50, {"y":null}] }"""u8.ToArray();

        Assert.True(RealtimeEventSerializer.TryParse(frame, out var parsed));

        var unknown = Assert.IsType<UnknownRealtimeEvent>(parsed);
        Assert.Equal("response.mcp_call.in_progress", unknown.Type);
        Assert.Equal(frame, RealtimeEventSerializer.ToUtf8Bytes(unknown));
    }

    [Theory]
    [InlineData("response.audio.delta", typeof(ResponseOutputAudioDeltaEvent), "response.output_audio.delta")]
    [InlineData("response.audio.done", typeof(ResponseOutputAudioDoneEvent), "response.output_audio.done")]
    [InlineData("response.audio_transcript.delta", typeof(ResponseOutputAudioTranscriptDeltaEvent), "response.output_audio_transcript.delta")]
    [InlineData("response.audio_transcript.done", typeof(ResponseOutputAudioTranscriptDoneEvent), "response.output_audio_transcript.done")]
    public void BetaNames_AreReadAsGa_AndWrittenWithTheGaName(string betaType, Type gaRecord, string gaType)
    {
        var frame = Encoding.UTF8.GetBytes($$"""{"type":"{{betaType}}","event_id":"e1","response_id":"r1","item_id":"i1","output_index":0,"content_index":0}""");

        Assert.True(RealtimeEventSerializer.TryParse(frame, out var parsed));

        Assert.IsType(gaRecord, parsed);
        Assert.Equal(gaType, parsed.Type);
        var written = Encoding.UTF8.GetString(RealtimeEventSerializer.ToUtf8Bytes(parsed));
        Assert.Contains($"\"type\":\"{gaType}\"", written, StringComparison.Ordinal);
        Assert.DoesNotContain(betaType + "\"", written, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"event_id\":\"x\"}")]
    [InlineData("{\"type\":5}")]
    [InlineData("{\"type\":\"conversation.item.truncate\",\"audio_end_ms\":\"soon\"}")]
    public void TryParse_RejectsFramesThatAreNotEvents(string frame)
    {
        Assert.False(RealtimeEventSerializer.TryParse(Encoding.UTF8.GetBytes(frame), out _));
    }

    [Fact]
    public void Write_ClientEvents_ProduceTheShapesTheApiExpects()
    {
        var create = new ConversationItemCreateEvent { EventId = "c1", Item = RealtimeItem.FunctionCallOutput("call_1", "{\"ok\":true}") };
        var text = new ConversationItemCreateEvent { Item = RealtimeItem.UserText("5") };

        Assert.Equal(
            """{"type":"conversation.item.create","event_id":"c1","item":{"type":"function_call_output","call_id":"call_1","output":"{\u0022ok\u0022:true}"}}""",
            Encoding.UTF8.GetString(RealtimeEventSerializer.ToUtf8Bytes(create)));
        Assert.Equal(
            """{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"5"}]}}""",
            Encoding.UTF8.GetString(RealtimeEventSerializer.ToUtf8Bytes(text)));
    }
}
