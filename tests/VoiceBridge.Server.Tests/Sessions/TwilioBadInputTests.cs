using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Sessions;

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

        var huge = "{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', TwilioCallSession.MaxCallerMessageBytes) + "\"}}";
        await call.SendExpectingCloseAsync(huge);

        Assert.Equal(CallEndReason.MessageTooBig, await call.EndAsync());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, call.Twilio.CloseStatus);
    }

    [Fact]
    public async Task AFlood_IsCappedAndCounted_WithoutEndingTheCall()
    {
        var time = new FakeTimeProvider();
        await using var call = await TwilioCallHarness.StartedAsync(new SessionPolicy { PassthroughMulaw = true }, time);
        var frame = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"" + TwilioCallHarness.StreamSid + "\",\"media\":{\"payload\":\"/w==\"}}");

        for (var i = 0; i < 1500; i++)
        {
            await call.Twilio.SendAsync(frame, WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        }

        // A second later the window is fresh: the sync DTMF itself is not part of the flood.
        time.Advance(TimeSpan.FromSeconds(1));
        await call.SyncCallerLoopAsync();

        // All 1,500 arrived within one (fake) second: 500 pass, the rest are counted, never queued.
        Assert.Equal(1000, call.Session.Counters[CallDrop.Flood]);
        Assert.False(call.Run.IsCompleted);
    }

    [Fact]
    public async Task ABadCall_DoesNotAffectAnotherCall()
    {
        await using var good = await TwilioCallHarness.StartedAsync();
        await using var bad = await TwilioCallHarness.StartedAsync();

        await bad.SendAsync("{{{{");
        await bad.SendBinaryAsync([1, 2, 3]);
        await bad.SendExpectingCloseAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', TwilioCallSession.MaxCallerMessageBytes) + "\"}}");
        Assert.Equal(CallEndReason.MessageTooBig, await bad.EndAsync());

        await good.SendMediaAsync(s_frame);
        Assert.Equal("input_audio_buffer.append", (await good.Upstream.NextAsync())["type"]!.GetValue<string>());
        Assert.Equal(0, good.Session.Counters[CallDrop.MalformedJson]);
        Assert.False(good.Run.IsCompleted);
    }
}
