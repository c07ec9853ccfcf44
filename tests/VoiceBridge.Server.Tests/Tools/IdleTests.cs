using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>Session:IdlePromptSeconds and Session:IdleHangupSeconds, on a fake clock.</summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class IdleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task SilentCaller_IsPromptedOnce_ThenToldGoodbye_ThenTheCallEnds()
    {
        await using var call = await StartAsync(new SessionOptions { IdlePromptSeconds = 5, IdleHangupSeconds = 12 });

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(call.Upstream.TryNext(out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        var prompt = await call.Upstream.NextControlAsync();
        Assert.Equal(CallController.IdlePromptTag, prompt["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());
        Assert.Contains("still there", prompt["response"]!["instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        await AnswerAsync(call, "resp_prompt", CallController.IdlePromptTag);

        // The prompt does not restart the clock: the goodbye comes 12 s after the silence began.
        _time.Advance(TimeSpan.FromSeconds(6.9));
        Assert.False(call.Upstream.TryNext(out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        var goodbye = await call.Upstream.NextControlAsync();
        Assert.Equal(CallController.GoodbyeTag, goodbye["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());
        Assert.False(call.Run.IsCompleted);

        // Not drained: the goodbye's response.done ends the call, and a loop already stopped never reads a sync marker.
        await AnswerAsync(call, "resp_bye", CallController.GoodbyeTag, drain: false);
        Assert.Equal(CallEndReason.EndedByBridge, await call.EndAsync());
    }

    [Fact]
    public async Task CallerSpeech_RestartsTheSilence()
    {
        await using var call = await StartAsync(new SessionOptions { IdlePromptSeconds = 5 });
        _time.Advance(TimeSpan.FromSeconds(4));
        call.Upstream.PushSpeechStarted();
        await call.Upstream.DrainedAsync();

        // Speaking for a long time is not silence.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(call.Upstream.TryNext(out _));

        call.Upstream.Push("""{"type":"input_audio_buffer.speech_stopped","event_id":"e","audio_end_ms":31000,"item_id":"item_user"}""");
        await call.Upstream.DrainedAsync();
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(call.Upstream.TryNext(out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("response.create", (await call.Upstream.NextControlAsync())["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutIdleSettings_ASilentCallIsLeftAlone()
    {
        await using var call = await StartAsync(new SessionOptions());

        _time.Advance(TimeSpan.FromMinutes(30));

        Assert.False(call.Upstream.TryNext(out _));
        Assert.False(call.Run.IsCompleted);
    }

    private async Task<TwilioCallHarness> StartAsync(SessionOptions options)
    {
        var services = ControlServices.Create(session: options, time: _time);
        var call = await TwilioCallHarness.CreateAsync(new SessionPolicy { PassthroughMulaw = true }, time: _time, control: services);
        await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, "+14155550100"));
        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());

        // The controller is attached before the upstream loop starts: once that loop has drained, the idle clock runs.
        await call.Upstream.DrainedAsync();
        return call;
    }

    private static async Task AnswerAsync(TwilioCallHarness call, string responseId, string tag, bool drain = true)
    {
        call.Upstream.Push($$$$"""{"type":"response.created","event_id":"e","response":{"id":"{{{{responseId}}}}","object":"realtime.response","status":"in_progress","output":[],"metadata":{"voicebridge":"{{{{tag}}}}"}}}""");
        call.Upstream.PushResponseDone(responseId);
        if (drain)
        {
            await call.Upstream.DrainedAsync();
        }
    }
}
