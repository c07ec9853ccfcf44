using System.Text;
using System.Text.Json;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Tests.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Tests.Simulator;

public sealed class SimulatorEngineTests
{
    [Fact]
    public async Task Connect_SendsSessionCreatedFirst_WithTheApiDefaults()
    {
        await using var sim = await SimulatorHarness.StartAsync();

        var created = await sim.NextAsync<SessionCreatedEvent>();

        var session = created.Session!;
        Assert.Equal("realtime", session.Type);
        Assert.Equal(RealtimeAudioFormat.PcmType, session.Audio!.Input!.Format!.Type);
        Assert.Equal(24000, session.Audio.Input.Format.Rate);
        Assert.Equal(RealtimeTurnDetection.ServerVad, session.Audio.Input.TurnDetection.Value!.Type);
        Assert.StartsWith("event_", created.EventId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpokenTurn_VadCommitsAndTheResponseEchoesTheUtterance()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        var audio = SimulatorHarness.Utterance(leadSilenceMs: 500, speechMs: 1000, trailSilenceMs: 800);

        await sim.SendAudioAsync(audio);

        var started = await sim.NextAsync<SpeechStartedEvent>();
        var stopped = await sim.NextAsync<SpeechStoppedEvent>();
        var committed = await sim.NextAsync<InputAudioBufferCommittedEvent>();
        var added = await sim.NextAsync<ConversationItemAddedEvent>();
        await sim.NextAsync<ConversationItemDoneEvent>();
        Assert.Equal(500, started.AudioStartMs);
        Assert.Equal(2000, stopped.AudioEndMs); // 1500 ms end of speech + 500 ms silence_duration_ms
        Assert.Equal(started.ItemId, committed.ItemId);
        Assert.Null(committed.PreviousItemId);
        Assert.Equal("user", added.Item!.Role);

        var events = await sim.UntilAsync<ResponseDoneEvent>();
        var echo = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        var done = (ResponseDoneEvent)events[^1];

        // The echo is the utterance from the prefix padding (300 ms before speech) to the end of speech, byte for byte.
        Assert.Equal(audio.AsSpan(200 * 8, 1300 * 8).ToArray(), echo);
        Assert.All(events.OfType<ResponseOutputAudioDeltaEvent>().SkipLast(1), d => Assert.Equal(800, Convert.FromBase64String(d.Delta!).Length));
        Assert.Equal("[echo 1.30 s]", events.OfType<ResponseOutputAudioTranscriptDoneEvent>().Single().Transcript);
        Assert.Equal(RealtimeResponse.Completed, done.Response!.Status);
        Assert.Equal(26, done.Response.Usage!.OutputTokenDetails!.AudioTokens); // 1300 ms / 50 ms
        Assert.Equal(18, done.Response.Usage.InputTokenDetails!.AudioTokens);   // 1800 ms user item / 100 ms
        var correlation = Correlation(audio.AsSpan(200 * 8, 1300 * 8), echo);
        Figures.Report($"simulator echo, pcmu -> pcmu: correlation with the input {correlation:F4} (byte-identical)");
        Assert.True(correlation > 0.99);
    }

    [Fact]
    public async Task SpokenTurn_InTheDefaultPcm24kSession_EchoesPcm()
    {
        await using var sim = await SimulatorHarness.StartAsync();
        await sim.NextAsync<SessionCreatedEvent>();
        var pcm = new short[(400 + 600 + 700) * 24];
        for (var i = 0; i < 600 * 24; i++)
        {
            pcm[(400 * 24) + i] = (short)(6000 * Math.Sin(2 * Math.PI * 180 * i / 24000.0));
        }

        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(pcm.AsSpan()).ToArray();
        await sim.SendAudioAsync(bytes, bytesPerFrame: 960);

        var started = await sim.NextAsync<SpeechStartedEvent>();
        var events = await sim.UntilAsync<ResponseDoneEvent>();
        var echo = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();

        Assert.Equal(400, started.AudioStartMs);
        Assert.Equal(1500, events.OfType<SpeechStoppedEvent>().Single().AudioEndMs);
        Assert.Equal(bytes.AsSpan(100 * 48, 900 * 48).ToArray(), echo);
    }

    [Fact]
    public async Task SpokenTurn_ServerEventSequence_MatchesTheFixtureShape()
    {
        var options = new SimulatorOptions
        {
            Pacing = SimulatorPacing.Fast,
            Turns = [new SimulatorTurn { Turn = 1, FunctionCall = new SimulatorFunctionCall { Name = "lookup_order", Arguments = """{"order_number":"48213"}""" } }],
        };
        await using var sim = await SimulatorHarness.StartPcmuAsync(options);

        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 800, 700));
        var first = await sim.UntilAsync<ResponseDoneEvent>();
        await sim.SendAsync("""{"type":"conversation.item.create","event_id":"client_0002","item":{"type":"function_call_output","call_id":"CALL","output":"{\"status\":\"shipped\"}"}}""".Replace("CALL", first.OfType<ResponseFunctionCallArgumentsDoneEvent>().Single().CallId, StringComparison.Ordinal));
        await sim.SendAsync("""{"type":"response.create","event_id":"client_0003"}""");
        var second = await sim.UntilAsync<ResponseDoneEvent>();

        // The fixture turn without the events the simulator does not send (rate limits, async transcription),
        // with runs of deltas collapsed.
        var fixture = RealtimeFixtures.Lines("openai-realtime-server-events-function-call-turn.jsonl")
            .Skip(2)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()!)
            .Where(t => t != "rate_limits.updated" && !t.StartsWith("conversation.item.input_audio_transcription", StringComparison.Ordinal));
        var simulated = first.Concat(second).Select(e => e.Type);
        Assert.Equal(Shape(fixture), Shape(simulated));

        var arguments = first.OfType<ResponseFunctionCallArgumentsDeltaEvent>().Select(d => d.Delta).ToList();
        Assert.Equal(3, arguments.Count);
        Assert.Equal("""{"order_number":"48213"}""", string.Concat(arguments));
        var call = Assert.Single(((ResponseDoneEvent)first[^1]).Response!.Output!);
        Assert.Equal(RealtimeItem.FunctionCallType, call.Type);
        Assert.Equal("lookup_order", call.Name);
        Assert.Equal(RealtimeResponse.Completed, ((ResponseDoneEvent)second[^1]).Response!.Status);
    }

    [Fact]
    public async Task Truncate_BeyondTheItemsAudio_IsAnError_WithinIt_IsConfirmed()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 1000, 700));
        var events = await sim.UntilAsync<ResponseDoneEvent>();
        var itemId = events.OfType<ResponseOutputItemAddedEvent>().Single().Item!.Id;

        await sim.SendAsync($$"""{"type":"conversation.item.truncate","event_id":"client_t1","item_id":"{{itemId}}","content_index":0,"audio_end_ms":5000}""");
        var error = await sim.NextAsync<ErrorEvent>();
        await sim.SendAsync($$"""{"type":"conversation.item.truncate","event_id":"client_t2","item_id":"{{itemId}}","content_index":0,"audio_end_ms":640}""");
        var truncated = await sim.NextAsync<ConversationItemTruncatedEvent>();

        Assert.Equal("invalid_value", error.Error!.Code);
        Assert.Equal("audio_end_ms", error.Error.Param);
        Assert.Equal("client_t1", error.Error.EventId);
        Assert.Equal(itemId, truncated.ItemId);
        Assert.Equal(640, truncated.AudioEndMs);
    }

    [Fact]
    public async Task Cancel_WithNoActiveResponse_IsAnError()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();

        await sim.SendAsync("""{"type":"response.cancel","event_id":"client_c1"}""");
        var error = await sim.NextAsync<ErrorEvent>();

        Assert.Equal("invalid_request_error", error.Error!.Type);
        Assert.Equal("response_cancel_not_active", error.Error.Code);
        Assert.Equal("client_c1", error.Error.EventId);
    }

    [Fact]
    public async Task SpeechDuringAResponse_CancelsIt_WithTurnDetected()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync(new SimulatorOptions { Pacing = SimulatorPacing.RealTime });
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 1000, 700));
        await sim.UntilAsync<ResponseOutputAudioDeltaEvent>(); // first 100 ms chunk; the rest waits for the clock

        await sim.SendAudioAsync(SimulatorHarness.Utterance(0, 200, 0));
        var events = await sim.UntilAsync<ResponseDoneEvent>();

        Assert.IsType<SpeechStartedEvent>(events[0]);
        var done = (ResponseDoneEvent)events[^1];
        Assert.Equal(RealtimeResponse.Cancelled, done.Response!.Status);
        Assert.Equal(RealtimeStatusDetails.TurnDetected, done.Response.StatusDetails!.Reason);
        Assert.Equal("incomplete", done.Response.Output!.Single().Status);
        Assert.Equal(2, done.Response.Usage!.OutputTokenDetails!.AudioTokens); // only the first 100 ms went out: 100 / 50
    }

    [Fact]
    public async Task RealTimePacing_ReleasesOneChunkPerChunkDuration()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync(new SimulatorOptions { Pacing = SimulatorPacing.RealTime });
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 500, 700));
        await sim.UntilAsync<ResponseOutputAudioDeltaEvent>();

        sim.Time.Advance(TimeSpan.FromMilliseconds(100));
        await sim.NextAsync<ResponseOutputAudioDeltaEvent>();
        sim.Time.Advance(TimeSpan.FromMilliseconds(1000));
        var rest = await sim.UntilAsync<ResponseDoneEvent>();

        // 800 ms of echo (300 ms prefix + 500 ms speech) = 8 chunks: 2 before, 6 after the big advance.
        Assert.Equal(6, rest.OfType<ResponseOutputAudioDeltaEvent>().Count());
    }

    [Fact]
    public async Task FastPacing_ReleasesTheWholeEcho_WhileTheClockKeepsMoving()
    {
        // A real clock moves between any two reads. Fast pacing must not depend on two reads being equal: it once did,
        // and each chunk then waited for a lucky read through a zero-delay timer spin (thousands of wake-ups per turn).
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        sim.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 700, 700));

        var events = await sim.UntilAsync<ResponseDoneEvent>();

        Assert.Equal(10, events.OfType<ResponseOutputAudioDeltaEvent>().Count()); // 1000 ms of echo in 100 ms chunks
        Assert.Equal(RealtimeResponse.Completed, ((ResponseDoneEvent)events[^1]).Response!.Status);
    }

    [Fact]
    public async Task ResponseCreate_AskingToSayAText_TranscribesThatText_AndDoesNotReplayTheEcho()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 1000, 700));
        var echoTurn = await sim.UntilAsync<ResponseDoneEvent>();
        var echo = echoTurn.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        const string Text = "Your table is \"ready\".";

        var instructions = JsonSerializer.Serialize(VerbatimSpeech.Instructions(Text), RealtimeJsonContext.Default.String);
        await sim.SendAsync("""{"type":"response.create","response":{"instructions":""" + instructions + ""","metadata":{"voicebridge":"say"}}}""");
        var events = await sim.UntilAsync<ResponseDoneEvent>();

        Assert.Equal(Text, events.OfType<ResponseOutputAudioTranscriptDoneEvent>().Single().Transcript);
        Assert.Equal(Text, string.Concat(events.OfType<ResponseOutputAudioTranscriptDeltaEvent>().Select(d => d.Delta)));
        var done = (ResponseDoneEvent)events[^1];
        Assert.Equal(RealtimeResponse.Completed, done.Response!.Status);
        Assert.Equal(Text, Assert.Single(done.Response.Output!).Content![0].Transcript);
        var audio = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        Assert.Equal(22 * 65 * 8, audio.Length); // 22 characters at 65 ms each, μ-law 8 kHz
        Assert.NotEqual(echo.Length, audio.Length);
        Assert.Contains(audio, b => b is not (0xFF or 0x7F)); // audible, not silence
    }

    [Fact]
    public async Task ResponseCreate_WithOtherInstructions_StillEchoes()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 1000, 700));
        await sim.UntilAsync<ResponseDoneEvent>();

        await sim.SendAsync("""{"type":"response.create","response":{"instructions":"Say a short, polite goodbye."}}""");
        var events = await sim.UntilAsync<ResponseDoneEvent>();

        Assert.StartsWith("[echo 1.", events.OfType<ResponseOutputAudioTranscriptDoneEvent>().Single().Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseCreate_WhileOneIsActive_IsAnError()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync(new SimulatorOptions { Pacing = SimulatorPacing.RealTime });
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 500, 700));
        await sim.UntilAsync<ResponseOutputAudioDeltaEvent>();

        await sim.SendAsync("""{"type":"response.create","event_id":"client_r2"}""");
        var error = await sim.NextAsync<ErrorEvent>();

        Assert.Equal("conversation_already_has_active_response", error.Error!.Code);
        Assert.Equal("client_r2", error.Error.EventId);
    }

    [Fact]
    public async Task ManualTurn_CommitAndResponseCreate_WithoutVad()
    {
        await using var sim = await SimulatorHarness.StartAsync();
        await sim.NextAsync<SessionCreatedEvent>();
        await sim.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":null},"output":{"format":{"type":"audio/pcmu"}}}}}""");
        var updated = await sim.NextAsync<SessionUpdatedEvent>();
        Assert.True(updated.Session!.Audio!.Input!.TurnDetection.IsPresent);
        Assert.Null(updated.Session.Audio.Input.TurnDetection.Value);

        await sim.SendAsync("""{"type":"input_audio_buffer.commit","event_id":"client_e"}""");
        var empty = await sim.NextAsync<ErrorEvent>();
        Assert.Equal("input_audio_buffer_commit_empty", empty.Error!.Code);
        Assert.Equal("client_e", empty.Error.EventId);

        var audio = SimulatorHarness.Utterance(0, 400, 0);
        await sim.SendAudioAsync(audio);
        await sim.SendAsync("""{"type":"input_audio_buffer.commit"}""");
        await sim.NextAsync<InputAudioBufferCommittedEvent>();
        await sim.UntilAsync<ConversationItemDoneEvent>();
        await sim.SendAsync("""{"type":"response.create"}""");
        var events = await sim.UntilAsync<ResponseDoneEvent>();

        Assert.Equal(audio, events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray());
    }

    [Fact]
    public async Task MixedFormats_EchoIsResampledIntoTheOutputFormat()
    {
        await using var sim = await SimulatorHarness.StartAsync();
        await sim.NextAsync<SessionCreatedEvent>();
        await sim.SendAsync("""{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcm","rate":24000}}}}}""");
        await sim.NextAsync<SessionUpdatedEvent>();
        var audio = SimulatorHarness.Utterance(300, 1000, 700);

        await sim.SendAudioAsync(audio);
        var events = await sim.UntilAsync<ResponseDoneEvent>();

        var echo = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        Assert.All(events.OfType<ResponseOutputAudioDeltaEvent>().SkipLast(1), d => Assert.Equal(4800, Convert.FromBase64String(d.Delta!).Length)); // 100 ms of PCM16 24 kHz
        Assert.Equal(1300 * 48, echo.Length);
        // Compare at 8 kHz: every third 24 kHz sample against the μ-law input.
        var pcm24 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(echo).ToArray();
        var input = new short[1300 * 8];
        MuLaw.Decode(audio.AsSpan(0, 1300 * 8), input);
        var decimated = Enumerable.Range(0, input.Length).Select(i => pcm24[i * 3]).ToArray();
        var correlation = Correlation(input, decimated);
        Figures.Report($"simulator echo, pcmu 8 kHz -> pcm 24 kHz (resampled): correlation with the input {correlation:F4}");
        Assert.True(correlation > 0.95, $"correlation {correlation}");
    }

    [Theory]
    [InlineData("""{"type":"realtime","voise":"marin"}""", "unknown_parameter", "session.voise")]
    [InlineData("""{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","silence_ms":200}}}}""", "unknown_parameter", "session.audio.input.turn_detection.silence_ms")]
    [InlineData("""{"audio":{"output":{"voice":"marin"}}}""", "missing_required_parameter", "session.type")]
    [InlineData("""{"type":"realtime_v2"}""", "invalid_value", "session.type")]
    [InlineData("""{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}""", "invalid_value", "session.audio.input.format.rate")]
    [InlineData("""{"type":"realtime","audio":{"input":{"turn_detection":{"type":"loud_vad"}}}}""", "invalid_value", "session.audio.input.turn_detection.type")]
    [InlineData("""{"type":"realtime","audio":{"output":{"format":{"type":"audio/opus"}}}}""", "invalid_value", "session.audio.output.format.type")]
    public async Task SessionUpdate_WithABadField_IsRejected_AndTheSessionIsUnchanged(string session, string code, string param)
    {
        await using var sim = await SimulatorHarness.StartAsync();
        await sim.NextAsync<SessionCreatedEvent>();

        await sim.SendAsync($$"""{"type":"session.update","event_id":"client_bad","session":{{session}}}""");
        var error = await sim.NextAsync<ErrorEvent>();
        await sim.SendAsync("""{"type":"session.update","session":{"type":"realtime"}}""");
        var updated = await sim.NextAsync<SessionUpdatedEvent>();

        Assert.Equal(code, error.Error!.Code);
        Assert.Equal(param, error.Error.Param);
        Assert.Equal("client_bad", error.Error.EventId);
        Assert.Equal(RealtimeAudioFormat.PcmType, updated.Session!.Audio!.Input!.Format!.Type);
        Assert.Equal("alloy", updated.Session.Audio.Output!.Voice!.Name);
    }

    [Fact]
    public async Task SessionUpdate_KeepsFieldsItDoesNotModel_AndReportsTheFullConfig()
    {
        await using var sim = await SimulatorHarness.StartAsync();
        await sim.NextAsync<SessionCreatedEvent>();

        await sim.SendAsync(Encoding.UTF8.GetString(RealtimeFixtures.Line("openai-realtime-client-events.jsonl", 1)).Replace("\"tool_choice\":\"auto\"", "\"tool_choice\":\"auto\",\"max_output_tokens\":800", StringComparison.Ordinal));
        var updated = await sim.NextAsync<SessionUpdatedEvent>();

        Assert.NotEqual("client_0001", updated.EventId); // the server does not echo the client's event_id
        Assert.Equal("marin", updated.Session!.Audio!.Output!.Voice!.Name);
        Assert.Equal("lookup_order", updated.Session.Tools!.Single().Name);
        Assert.Equal(800, updated.Session.ExtensionData!["max_output_tokens"].GetInt32());
    }

    [Fact]
    public async Task UnknownClientEventType_IsAnError_EchoingTheEventId()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();

        await sim.SendAsync("""{"type":"input_audio_buffer.appendd","event_id":"client_0099","audio":""}""");
        var error = await sim.NextAsync<ErrorEvent>();

        Assert.Equal("invalid_value", error.Error!.Code);
        Assert.Equal("type", error.Error.Param);
        Assert.Equal("client_0099", error.Error.EventId);
        Assert.StartsWith("Invalid value: 'input_audio_buffer.appendd'.", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScriptedCloseAtATurn_EndsReceive_WithClosedByPeer()
    {
        var options = new SimulatorOptions
        {
            Pacing = SimulatorPacing.Fast,
            Close = new SimulatorClose { AtTurn = 1, Status = 1011, Description = "scripted" },
        };
        await using var sim = await SimulatorHarness.StartPcmuAsync(options);
        // The engine commits the turn (and closes) after 500 ms of the trailing silence, possibly before it is all sent.
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 500, 700), untilClosed: true);
        await sim.UntilAsync<ConversationItemDoneEvent>();

        var end = await sim.ReceiveRawAsync();
        var again = await sim.ReceiveRawAsync();

        Assert.True(end.IsEnd);
        Assert.Equal(UpstreamEndReason.ClosedByPeer, end.End!.Reason);
        Assert.Equal(1011, end.End.CloseStatus);
        Assert.Equal(end.End, again.End);
        Assert.False(await sim.Connection.SendAsync(RealtimeMessage.Copy("{}"u8, RealtimeMessageKind.Control), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ScriptedCloseAfterTime_FollowsTheInjectedClock()
    {
        await using var sim = await SimulatorHarness.StartAsync(new SimulatorOptions { Close = new SimulatorClose { AfterMs = 30_000, Status = 4000 } });
        await sim.NextAsync<SessionCreatedEvent>();

        sim.Time.Advance(TimeSpan.FromSeconds(30));
        var end = await sim.ReceiveRawAsync();

        Assert.Equal(UpstreamEndReason.ClosedByPeer, end.End!.Reason);
        Assert.Equal(4000, end.End.CloseStatus);
    }

    [Fact]
    public async Task ScriptedDelayAndError_DelayTheResponseOnTheClock()
    {
        var options = new SimulatorOptions
        {
            Pacing = SimulatorPacing.Fast,
            Turns = [new SimulatorTurn { Turn = 1, ResponseDelayMs = 2000, Error = new SimulatorError { Code = "rate_limit_exceeded", Type = "rate_limit_error" } }],
        };
        await using var sim = await SimulatorHarness.StartPcmuAsync(options);
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 500, 700));
        await sim.UntilAsync<ConversationItemDoneEvent>();
        var error = await sim.NextAsync<ErrorEvent>();

        // The error is sent before the response is scheduled: advancing now could start the 2 s before the engine
        // reads the clock. The engine handles events in order, so the reply to a later event proves it has.
        await sim.SendAsync("""{"type":"input_audio_buffer.clear","event_id":"client_barrier"}""");
        await sim.NextAsync<InputAudioBufferClearedEvent>();
        sim.Time.Advance(TimeSpan.FromMilliseconds(2000));
        await sim.NextAsync<ResponseCreatedEvent>();

        Assert.Equal("rate_limit_exceeded", error.Error!.Code);
    }

    [Fact]
    public async Task CloseAsync_EndsWithClosedByUs_AndReleasesQueuedFrames()
    {
        var sim = await SimulatorHarness.StartPcmuAsync();
        await sim.SendAudioAsync(SimulatorHarness.Utterance(300, 500, 700));

        await sim.Connection.CloseAsync(TestContext.Current.CancellationToken);
        var end = await sim.ReceiveRawAsync();

        Assert.Equal(UpstreamEndReason.ClosedByUs, end.End!.Reason);
        await sim.DisposeAsync();
    }

    [Fact]
    public async Task Clear_MidSpeech_DropsTheUtterance_AndNoTurnIsCommitted()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();
        await sim.SendAudioAsync(SimulatorHarness.Utterance(200, 400, 0));
        var started = await sim.NextAsync<SpeechStartedEvent>();

        await sim.SendAsync("""{"type":"input_audio_buffer.clear"}""");
        await sim.NextAsync<InputAudioBufferClearedEvent>();
        await sim.SendAudioAsync(SimulatorHarness.Silence(1000));
        await sim.SendAsync("""{"type":"input_audio_buffer.commit","event_id":"client_after_clear"}""");
        var committed = await sim.NextAsync<InputAudioBufferCommittedEvent>();

        // 1 s of silence after the clear: VAD never stopped the cleared speech; the explicit commit is a new item.
        Assert.DoesNotContain(sim.Received, e => e is SpeechStoppedEvent);
        Assert.NotEqual(started.ItemId, committed.ItemId);
    }

    [Fact]
    public async Task UserTextItem_IsAddedToTheConversation()
    {
        await using var sim = await SimulatorHarness.StartPcmuAsync();

        await sim.SendAsync("""{"type":"conversation.item.create","event_id":"client_dtmf","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"5"}]}}""");
        var added = await sim.NextAsync<ConversationItemAddedEvent>();
        var done = await sim.NextAsync<ConversationItemDoneEvent>();

        Assert.Equal("realtime.item", added.Item!.ObjectType);
        Assert.Equal("5", added.Item.Content!.Single().Text);
        Assert.Equal(added.Item.Id, done.Item!.Id);
        Assert.NotNull(added.Item.Id);
    }

    [Fact]
    public void Options_LoadFromScriptJson()
    {
        var json = """
            {
              "pacing": "Fast",
              "speech_threshold_dbfs": -35,
              "turns": [ { "turn": 1, "function_call": { "name": "lookup_order", "arguments": "{\"order_number\":\"1\"}" }, "response_delay_ms": 250 } ],
              "close": { "at_turn": 3, "status": 1000 }
            }
            """;

        var options = JsonSerializer.Deserialize(json, SimulatorJsonContext.Default.SimulatorOptions)!;

        Assert.Equal(SimulatorPacing.Fast, options.Pacing);
        Assert.Equal(-35, options.SpeechThresholdDbfs);
        Assert.Equal("lookup_order", options.Turns.Single().FunctionCall!.Name);
        Assert.Equal(250, options.Turns[0].ResponseDelayMs);
        Assert.Equal(3, options.Close!.AtTurn);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"pacin":"Fast"}""", SimulatorJsonContext.Default.SimulatorOptions));
    }

    private static List<string> Shape(IEnumerable<string> types)
    {
        var shape = new List<string>();
        foreach (var type in types)
        {
            if (type.EndsWith(".delta", StringComparison.Ordinal) && shape.Count > 0 && shape[^1].EndsWith(".delta", StringComparison.Ordinal))
            {
                continue;
            }

            shape.Add(type.EndsWith(".delta", StringComparison.Ordinal) ? "*.delta" : type);
        }

        return shape;
    }

    private static double Correlation(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return 0;
        }

        var x = new short[a.Length];
        var y = new short[b.Length];
        MuLaw.Decode(a, x);
        MuLaw.Decode(b, y);
        return Correlation(x, y);
    }

    private static double Correlation(short[] x, short[] y)
    {
        double xy = 0, xx = 0, yy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            xy += x[i] * (double)y[i];
            xx += x[i] * (double)x[i];
            yy += y[i] * (double)y[i];
        }

        return xy / Math.Sqrt(xx * yy);
    }
}
