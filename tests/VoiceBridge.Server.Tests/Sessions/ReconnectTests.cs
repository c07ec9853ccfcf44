using System.Globalization;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>A lost upstream mid-call: a new session, the conversation replayed as heard, the assistant asked to go on.</summary>
public sealed class ReconnectTests
{
    private static readonly UpstreamReconnect Quick = new() { Attempts = 3, Backoff = TimeSpan.FromMilliseconds(10) };

    private static async Task<TwilioCallHarness> StartAsync(UpstreamSequence connector, ScriptedUpstream first)
    {
        var call = await TwilioCallHarness.CreateAsync(upstream: first, connector: connector, reconnect: Quick);
        await call.SendAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, "+14155550100"));
        Assert.Equal("session.update", (await first.NextAsync())["type"]!.GetValue<string>());
        return call;
    }

    private static void SayOpeningHours(ScriptedUpstream upstream)
    {
        upstream.Push("""{"type":"conversation.item.input_audio_transcription.completed","event_id":"e","item_id":"item_u1","content_index":0,"transcript":"When do you open?"}""");
        upstream.PushResponseCreated("resp_1");
        upstream.Push("""{"type":"response.output_item.added","event_id":"e","response_id":"resp_1","output_index":0,"item":{"id":"item_a1","object":"realtime.item","type":"message","role":"assistant","status":"in_progress","content":[]}}""");
        upstream.Push("""{"type":"response.output_audio_transcript.done","event_id":"e","response_id":"resp_1","item_id":"item_a1","output_index":0,"content_index":0,"transcript":"We open at nine."}""");
    }

    [Fact]
    public async Task UpstreamLostMidAnswer_NewSessionGetsConfigReplayAndAResponseRequest_AndTheCallerHearsIt()
    {
        var first = new ScriptedUpstream();
        var second = new ScriptedUpstream();
        var connector = new UpstreamSequence(first, second);
        await using var call = await StartAsync(connector, first);
        SayOpeningHours(first);

        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "connection reset"));

        Assert.Equal("session.update", (await second.NextControlAsync())["type"]!.GetValue<string>());
        var user = await second.NextControlAsync();
        var assistant = await second.NextControlAsync();
        var respond = await second.NextControlAsync();
        Assert.Equal("conversation.item.create", user["type"]!.GetValue<string>());
        Assert.Equal("item_u1", user["item"]!["id"]!.GetValue<string>());
        Assert.Equal("user", user["item"]!["role"]!.GetValue<string>());
        Assert.Equal("When do you open?", user["item"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("assistant", assistant["item"]!["role"]!.GetValue<string>());
        Assert.Equal("output_text", assistant["item"]!["content"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("We open at nine.", assistant["item"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("response.create", respond["type"]!.GetValue<string>());

        // The new session answers: the caller hears it (the first media the bridge sends, nothing stale before it).
        second.PushResponseCreated("resp_2");
        second.PushAudioDelta("resp_2", "item_a2", new byte[4800]);
        second.PushResponseDone("resp_2");
        var (media, _) = await call.ReceiveUntilAsync("media");
        var sinceReady = TimeProvider.System.GetElapsedTime(connector.ConnectedAt[1]);

        Assert.NotNull(media);
        Assert.Equal(2, connector.Connects);
        Assert.False(call.Run.IsCompleted);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reconnect: first assistant audio reached the caller {sinceReady.TotalMilliseconds:F1} ms after the new upstream session opened (scripted upstream answering at once)"));
    }

    [Fact]
    public async Task UpstreamThatNeverComesBack_EndsTheCallAfterTheAttempts_WithUpstreamClosed()
    {
        var first = new ScriptedUpstream();
        var connector = new UpstreamSequence(first);
        await using var call = await StartAsync(connector, first);

        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "connection reset"));

        Assert.Equal(CallEndReason.UpstreamClosed, await call.EndAsync());
        Assert.Equal(1 + Quick.Attempts, connector.Connects);
    }

    [Fact]
    public async Task CallerAudioDuringTheGap_IsDroppedAndCounted_NotSentToTheNewSession()
    {
        var first = new ScriptedUpstream();
        var second = new ScriptedUpstream();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connector = new GatedConnector(new UpstreamSequence(second), release.Task);
        UpstreamGap? gap = null;
        await using var upstream = new ReconnectingUpstream(
            first, connector, Quick, () => Realtime.Protocol.RealtimeEventSerializer.ToMessage(new Realtime.Protocol.SessionUpdateEvent()), static c => c.ConnectAsync(CancellationToken.None), static c => c, new HeardTranscript(), g => gap = g,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "CA1");
        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "going away"));

        var receive = upstream.ReceiveAsync(TestContext.Current.CancellationToken).AsTask();
        await connector.Waiting;
        var accepted = 0;
        for (var i = 0; i < 5; i++)
        {
            accepted += await upstream.SendAsync(RealtimeMessage.Copy("""{"type":"input_audio_buffer.append","audio":"AAAA"}"""u8, RealtimeMessageKind.Audio), TestContext.Current.CancellationToken) ? 1 : 0;
        }

        release.SetResult();
        Assert.Equal("session.update", (await second.NextAsync())["type"]!.GetValue<string>());
        second.PushResponseDone("resp_x");
        var next = await receive.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.False(next.IsEnd);
        next.Message.Dispose();

        Assert.Equal(0, accepted);
        Assert.False(second.TryNext(out _));
        Assert.Equal(5, upstream.DroppedAudioMessages);
        Assert.NotNull(gap);
        Assert.True(gap.Resumed);
        Assert.Equal(5, gap.DroppedAudioFrames);
        Assert.Equal(UpstreamEndReason.ClosedByPeer, gap.Cause);
        Assert.True(await upstream.SendAsync(RealtimeMessage.Copy("""{"type":"input_audio_buffer.append","audio":"AAAA"}"""u8, RealtimeMessageKind.Audio), TestContext.Current.CancellationToken));
        Assert.Equal("input_audio_buffer.append", (await second.NextAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFlappingUpstream_UsesUpTheAttempts_InsteadOfReconnectingForever()
    {
        var upstreams = Enumerable.Range(0, 6).Select(_ => new ScriptedUpstream()).ToArray();
        foreach (var flapping in upstreams)
        {
            flapping.PushEnd(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "reset"));
        }

        var connector = new UpstreamSequence(upstreams[1..]);
        await using var upstream = new ReconnectingUpstream(
            upstreams[0], connector, Quick, () => Realtime.Protocol.RealtimeEventSerializer.ToMessage(new Realtime.Protocol.SessionUpdateEvent()), static c => c.ConnectAsync(CancellationToken.None), static c => c, new HeardTranscript(), null,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "CA1");

        var result = await upstream.ReceiveAsync(TestContext.Current.CancellationToken);

        Assert.True(result.IsEnd);
        Assert.Contains("gave up reconnecting after 3 attempts", result.End!.Description, StringComparison.Ordinal);
        Assert.Equal(Quick.Attempts, connector.Connects);
    }

    /// <summary>Holds every connect until released, and says when one is waiting.</summary>
    private sealed class GatedConnector(IRealtimeConnector inner, Task release) : IRealtimeConnector
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Waiting => _waiting.Task;

        public async ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
        {
            _waiting.TrySetResult();
            await release.WaitAsync(cancellationToken);
            return await inner.ConnectAsync(cancellationToken);
        }
    }
}
