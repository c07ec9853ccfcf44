using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// Every bad input from the Twilio leg has a defined outcome: ignored and counted (the call carries on, proven by
/// a good frame still reaching the model afterwards) or the call closed with a reason. Never an exception.
/// </summary>
public sealed class TwilioBadInputTests
{
    private static readonly byte[] s_frame = Enumerable.Repeat((byte)0xFF, 160).ToArray();

    public static TheoryData<string, string> IgnoredFrames() => new()
    {
        { "not json at all", nameof(CallDrop.MalformedJson) },
        { "{\"event\":\"media\",", nameof(CallDrop.MalformedJson) },
        { "[]", nameof(CallDrop.MalformedJson) },
        { "{\"event\":\"party\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\"}", nameof(CallDrop.UnexpectedEvent) },
        { "{\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\"}", nameof(CallDrop.UnexpectedEvent) },
        { "{\"event\":\"media\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"media\":{\"payload\":\"***\"}}", nameof(CallDrop.InvalidBase64) },
        { "{\"event\":\"media\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"media\":{\"payload\":\"\"}}", nameof(CallDrop.EmptyPayload) },
        { "{\"event\":\"media\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\"}", nameof(CallDrop.MissingField) },
        { "{\"event\":\"media\",\"streamSid\":\"MZffffffffffffffffffffffffffffffff\",\"media\":{\"payload\":\"/w==\"}}", nameof(CallDrop.WrongStreamSid) },
        { "{\"event\":\"mark\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"mark\":{\"name\":\"not-ours\"}}", nameof(CallDrop.UnknownMark) },
        { "{\"event\":\"start\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"start\":{\"callSid\":\"CA1\"}}", nameof(CallDrop.UnexpectedEvent) },
    };

    [Theory]
    [MemberData(nameof(IgnoredFrames))]
    public async Task BadFrame_IsIgnoredAndCounted_AndTheCallCarriesOn(string frame, string drop)
    {
        await using var call = await TwilioCallHarness.StartedAsync();

        await call.SendAsync(frame);
        await call.SendAsync(frame);
        await call.SendMediaAsync(s_frame);

        var next = await call.Upstream.NextAsync();
        Assert.Equal("input_audio_buffer.append", next["type"]!.GetValue<string>());
        Assert.Equal(2, call.Session.Counters[Enum.Parse<CallDrop>(drop)]);
        Assert.False(call.Run.IsCompleted);
    }

    [Fact]
    public async Task BinaryFrame_IsIgnoredAndCounted()
    {
        await using var call = await TwilioCallHarness.StartedAsync();

        await call.SendBinaryAsync(s_frame);
        await call.SendMediaAsync(s_frame);

        Assert.Equal("input_audio_buffer.append", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        Assert.Equal(1, call.Session.Counters[CallDrop.BinaryFrame]);
    }

    [Fact]
    public async Task MediaBeforeStart_IsIgnoredAndCounted_AndNeverReachesAnUpstream()
    {
        await using var call = await TwilioCallHarness.CreateAsync();

        await call.SendMediaAsync(s_frame);
        await call.SendMediaAsync(s_frame);
        await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, null));

        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        Assert.Equal(2, call.Session.Counters[CallDrop.BeforeStart]);
        Assert.False(call.Upstream.TryNext(out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(159)]
    [InlineData(161)]
    [InlineData(1001)]
    // Messages past the 4 KiB the receive buffer starts with (it grows) and close to the 64 KiB cap.
    [InlineData(12_000)]
    [InlineData(47_000)]
    public async Task OddSizedPayloads_AreTranscodedWhole(int bytes)
    {
        await using var call = await TwilioCallHarness.StartedAsync();

        await call.SendMediaAsync(Enumerable.Repeat((byte)0x90, bytes).ToArray());

        var total = 0;
        while (total < bytes * 3 * 2)
        {
            var append = await call.Upstream.NextAsync();
            total += Convert.FromBase64String(append["audio"]!.GetValue<string>()).Length;
        }

        // Three 24 kHz samples (six bytes) for every 8 kHz μ-law byte, nothing held back.
        Assert.Equal(bytes * 6, total);
    }

    [Fact]
    public async Task OversizedMessage_ClosesTheCallWithMessageTooBig()
    {
        await using var call = await TwilioCallHarness.StartedAsync();

        var huge = "{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', TwilioLeg.MaxCallerMessageBytes) + "\"}}";
        await call.SendExpectingCloseAsync(huge);

        Assert.Equal(CallEndReason.MessageTooBig, await call.EndAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, call.Twilio.CloseStatus);
    }

    [Fact]
    public async Task AShortFlood_IsCappedAndCounted_WithoutEndingTheCall()
    {
        var time = new FakeTimeProvider();
        await using var call = await TwilioCallHarness.StartedAsync(new SessionPolicy { PassthroughMulaw = true }, time);
        var frame = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"media\":{\"payload\":\"/w==\"}}");

        // Up to Session:MaxRefusedMessages over the rate: capped and counted, the caller is not closed for it
        // (TwilioFloodTests covers a caller that keeps flooding).
        for (var i = 0; i < 500 + CallerFlood.DefaultMaxRefused; i++)
        {
            await call.Twilio.SendAsync(frame, WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        }

        // The fake clock never moves, so all of them arrive within one second: 500 are forwarded...
        for (var i = 0; i < 500; i++)
        {
            Assert.Equal("input_audio_buffer.append", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        }

        // ...and the caller's close, handled after every earlier message, ends the call normally: the flood did not.
        await call.Twilio.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", TestContext.Current.CancellationToken);
        Assert.Equal(CallEndReason.CallerClosed, await call.EndAsync());
        Assert.Equal(CallerFlood.DefaultMaxRefused, call.Session.Counters[CallDrop.Flood]);
        Assert.False(call.Upstream.TryNext(out var extra) && extra.Contains("append", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABadCall_DoesNotAffectAnotherCall()
    {
        await using var good = await TwilioCallHarness.StartedAsync();
        await using var bad = await TwilioCallHarness.StartedAsync();

        await bad.SendAsync("{{{{");
        await bad.SendBinaryAsync([1, 2, 3]);
        await bad.SendExpectingCloseAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', TwilioLeg.MaxCallerMessageBytes) + "\"}}");
        Assert.Equal(CallEndReason.MessageTooBig, await bad.EndAsync());

        await good.SendMediaAsync(s_frame);
        Assert.Equal("input_audio_buffer.append", (await good.Upstream.NextAsync())["type"]!.GetValue<string>());
        Assert.Equal(0, good.Session.Counters[CallDrop.MalformedJson]);
        Assert.False(good.Run.IsCompleted);
    }

    public static TheoryData<string, string?> BadUpstreamEvents() => new()
    {
        { "not json", nameof(CallDrop.MalformedUpstreamEvent) },
        { "{\"no_type\":1}", nameof(CallDrop.MalformedUpstreamEvent) },
        { "{\"type\":\"response.output_audio.delta\",\"response_id\":\"resp_x\",\"item_id\":\"item_x\",\"delta\":\"%%%\"}", nameof(CallDrop.MalformedUpstreamEvent) },
        { "{\"type\":\"response.output_audio.delta\",\"response_id\":\"resp_x\",\"item_id\":\"item_x\",\"delta\":17}", nameof(CallDrop.MalformedUpstreamEvent) },
        { "{\"type\":\"response.created\",\"response\":\"not an object\"}", null },
        { "{\"type\":\"something.new_in_2027\",\"payload\":{\"x\":1}}", null },
        { "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"code\":\"unknown_parameter\",\"message\":\"m\"}}", null },
    };

    [Theory]
    [MemberData(nameof(BadUpstreamEvents))]
    public async Task BadUpstreamEvent_IsIgnored_AndTheCallCarriesOn(string json, string? drop)
    {
        await using var call = await TwilioCallHarness.StartedAsync(new SessionPolicy { PassthroughMulaw = true });

        call.Upstream.Push(json);
        call.Upstream.PushResponseCreated("resp_1");
        call.Upstream.PushAudioDelta("resp_1", "item_1", s_frame);

        // The next good audio still reaches the caller, and only it.
        var media = await call.ReceiveAsync();
        Assert.Equal("media", media!["event"]!.GetValue<string>());
        Assert.Equal(s_frame, Convert.FromBase64String(media["media"]!["payload"]!.GetValue<string>()));
        if (drop is not null)
        {
            Assert.Equal(1, call.Session.Counters[Enum.Parse<CallDrop>(drop)]);
        }

        Assert.False(call.Run.IsCompleted);
    }
}
