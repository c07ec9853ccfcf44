using System.Diagnostics;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Tests.Simulator.Calls;

/// <summary>
/// The simulator's direct calls (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands): the playback it models
/// (started, stopped after what was sent has played, cleared and truncated at what was heard on barge-in), sidebands
/// that get neither session.created nor audio, hang-ups that close them and make the call a 404, SIP's ringing state.
/// </summary>
public sealed class SimulatorCallsTests
{
    private const string Session = """{"type":"realtime","model":"gpt-realtime","instructions":"be brief","audio":{"input":{"transcription":{"model":"whisper-1"}}}}""";

    [Fact]
    public async Task AWebRtcTurn_IsPlayedOutAsTheServerWould_StartedThenStoppedAfterTheAudioPlayed()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);
        var (call, media) = await StartAsync(calls);
        var stopped = When(call, RealtimeEventType.OutputAudioBufferStopped);
        var done = When(call, RealtimeEventType.ResponseDone);

        await SpeakAsync(call, Utterance());
        await stopped;
        await done;

        var first = media.Events.First().At;
        var types = media.Types();
        var timing = string.Join(", ", media.Events.Select(e => $"{e.Type}@{Stopwatch.GetElapsedTime(first, e.At).TotalMilliseconds:F0}"));
        // response.done and output_audio_buffer.stopped race: generation ends when the last chunk is sent, playback 100 ms later.
        var order = new[] { "input_audio_buffer.speech_stopped", "response.created", "output_audio_buffer.started", "output_audio_buffer.stopped" }
            .Select(type => Array.IndexOf(types, type)).ToArray();
        Assert.True(order.All(i => i >= 0) && order.SequenceEqual(order.Order()), timing);
        Assert.DoesNotContain("response.output_audio.delta", types);
        Assert.True(media.AudioBytes > 0);
        // Stopped once what was sent had played at play speed (the reply echoes ~0.9 s).
        var started = media.Events.Single(e => e.Type == "output_audio_buffer.started").At;
        var end = media.Events.Single(e => e.Type == "output_audio_buffer.stopped").At;
        Assert.True(Stopwatch.GetElapsedTime(started, end) >= TimeSpan.FromMilliseconds(media.AudioBytes / 48.0 * 0.9), $"{Stopwatch.GetElapsedTime(started, end).TotalMilliseconds} ms for {media.AudioBytes / 48} ms of audio");
    }

    [Fact]
    public async Task ASideband_GetsTheCallsEvents_ButNeitherSessionCreatedNorAudio()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);
        var (call, _) = await StartAsync(calls);
        await using var sideband = calls.OpenSideband(call.Id)!;
        var stopped = When(call, RealtimeEventType.OutputAudioBufferStopped);

        await SpeakAsync(call, Utterance());
        await stopped;
        calls.Hangup(call.Id);

        var types = new List<string>();
        while (true)
        {
            var received = await sideband.ReceiveAsync(TestContext.Current.CancellationToken);
            if (received.IsEnd)
            {
                Assert.Equal(UpstreamEndReason.ClosedByPeer, received.End!.Reason);
                Assert.Equal(1000, received.End.CloseStatus);
                break;
            }

            using var message = received.Message;
            RealtimeEventPeek.TryPeek(message.Span, out _);
            types.Add(System.Text.Json.JsonDocument.Parse(message.Memory).RootElement.GetProperty("type").GetString()!);
        }

        Assert.DoesNotContain("session.created", types);
        Assert.DoesNotContain("response.output_audio.delta", types);
        Assert.Contains("input_audio_buffer.speech_stopped", types);
        Assert.Contains("output_audio_buffer.started", types);
        Assert.Contains("output_audio_buffer.stopped", types);
        Assert.Null(calls.OpenSideband(call.Id));
    }

    [Fact]
    public async Task SpeakingOverTheReply_ClearsTheBuffer_AndTruncatesTheItemAtWhatWasHeard()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);
        var (call, media) = await StartAsync(calls);
        var started = When(call, RealtimeEventType.OutputAudioBufferStarted);
        var truncated = When(call, RealtimeEventType.ConversationItemTruncated);
        await SpeakAsync(call, Utterance(toneMs: 1500, silenceMs: 700));
        await started;

        await SpeakAsync(call, Utterance(toneMs: 300, silenceMs: 0));
        await truncated;

        var types = media.Types();
        Assert.True(Array.IndexOf(types, "output_audio_buffer.cleared") < Array.IndexOf(types, "conversation.item.truncated"), string.Join(", ", types));
        Assert.Equal(1, media.Clears);
        var cut = media.Events.Single(e => e.Type == "conversation.item.truncated").Event["audio_end_ms"]!.GetValue<int>();
        Assert.InRange(cut, 0, 1800);
        Assert.DoesNotContain("output_audio_buffer.stopped", types);
    }

    [Fact]
    public async Task AClientsOutputAudioBufferClear_StopsThePlayback()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);
        var (call, media) = await StartAsync(calls);
        var started = When(call, RealtimeEventType.OutputAudioBufferStarted);
        var cleared = When(call, RealtimeEventType.OutputAudioBufferCleared);
        await SpeakAsync(call, Utterance(toneMs: 1500, silenceMs: 700));
        await started;

        await call.SubmitClientEventAsync(RealtimeMessage.Copy("""{"type":"output_audio_buffer.clear"}"""u8, RealtimeMessageKind.Control), TestContext.Current.CancellationToken);
        await cleared;

        Assert.False(call.IsPlaying);
        Assert.Equal(1, media.Clears);
    }

    [Fact]
    public async Task ASipCall_RingsUntilAccepted_HasNoSidebandBefore_AndARejectedOneEnds()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);
        var accepted = calls.Incoming([new("From", "<sip:+15550001111@carrier>")]);
        var rejected = calls.Incoming([new("From", "<sip:+15550002222@carrier>")]);

        Assert.Equal(SimulatorCallState.Ringing, accepted.State);
        Assert.Null(calls.OpenSideband(accepted.Id));
        Assert.Equal(400, (await calls.AcceptAsync(accepted.Id, """{"model":"gpt-realtime"}""")).Status);
        Assert.Equal(200, (await calls.AcceptAsync(accepted.Id, Session)).Status);
        Assert.Equal(SimulatorCallState.Live, accepted.State);
        Assert.NotNull(calls.OpenSideband(accepted.Id));
        Assert.Equal(409, (await calls.AcceptAsync(accepted.Id, Session)).Status);

        Assert.Equal(200, calls.Reject(rejected.Id, 486).Status);
        Assert.Equal("rejected with SIP 486", await rejected.Ended);
        Assert.Equal(404, (await calls.AcceptAsync(rejected.Id, Session)).Status);
    }

    [Fact]
    public async Task AnOfferThatIsNotSdp_OrASessionWithoutItsType_IsA400()
    {
        await using var calls = new SimulatorCalls(new SimulatorOptions(), TimeProvider.System);

        Assert.Equal(400, (await calls.CreateWebRtcAsync("not sdp", Session, TestContext.Current.CancellationToken)).Status);
        Assert.Equal(400, (await calls.CreateWebRtcAsync("v=0\r\n", """{"instructions":"x"}""", TestContext.Current.CancellationToken)).Status);
        Assert.Empty(calls.Live);
    }

    internal static async Task<(SimulatorCall Call, RecordingMedia Media)> StartAsync(SimulatorCalls calls)
    {
        var created = await calls.CreateWebRtcAsync("v=0\r\n", Session, TestContext.Current.CancellationToken);
        Assert.Equal(201, created.Status);
        var media = new RecordingMedia();
        created.Call!.AttachMedia(media);
        return (created.Call, media);
    }

    internal static Task When(SimulatorCall call, RealtimeEventType type)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        call.ServerEvent += (_, sent) =>
        {
            if (sent == type)
            {
                seen.TrySetResult();
            }
        };
        return seen.Task.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
    }

    internal static byte[] Utterance(int toneMs = 600, int silenceMs = 900)
    {
        var pcm = new byte[(toneMs + silenceMs) * 48];
        for (var i = 0; i < toneMs * 24; i++)
        {
            var value = (short)(10_000 * Math.Sin(2 * Math.PI * 400 * i / 24000.0));
            pcm[2 * i] = (byte)value;
            pcm[(2 * i) + 1] = (byte)(value >> 8);
        }

        return pcm;
    }

    internal static async Task SpeakAsync(SimulatorCall call, byte[] pcm)
    {
        for (var offset = 0; offset < pcm.Length; offset += 960)
        {
            await call.SubmitAudioAsync(pcm.AsSpan(offset, Math.Min(960, pcm.Length - offset)), TestContext.Current.CancellationToken);
        }
    }
}
