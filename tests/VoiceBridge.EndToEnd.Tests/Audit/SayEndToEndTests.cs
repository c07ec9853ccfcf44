extern alias cli;

using System.Net;
using System.Text;
using System.Text.Json;
using cli::VoiceBridge.Cli.Call;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Audit;

/// <summary>An operator's <c>say</c> on a live phone call with the simulator upstream: the transcript shows the text.</summary>
public sealed class SayEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminSay_OnACallWithTheSimulator_IsHeard_AndTheTranscriptShowsTheText()
    {
        const string Text = "Your table is ready.";
        await using var bridge = await BridgeUnderTest.StartAsync();
        using var admin = bridge.AdminClient();
        using var http = new HttpClient();
        var observer = new SayWhenLive(admin, Text);
        // The caller says nothing: any reply is the say, not an echo.
        using var call = new FakeTwilioCall(
            new FakeTwilioCallOptions
            {
                ServerUrl = bridge.BaseUri,
                AuthToken = BridgeUnderTest.AuthToken,
                CallerAudio = Enumerable.Repeat((byte)0xFF, 8000 * 4).ToArray(),
                Tail = TimeSpan.Zero,
                PlayoutDelay = TimeSpan.FromMilliseconds(200),
                Observer = observer,
            },
            http);
        observer.CallSid = call.CallSid;

        var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(45), Ct);
        var said = await observer.Said.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        Assert.Equal(HttpStatusCode.Accepted, said);
        Assert.True(result.BytesReceived > 8 * 1000, $"the caller heard {result.BytesReceived / 8} ms");
        using var response = await admin.GetAsync(new Uri($"calls/{result.CallSid}/transcript", UriKind.Relative), Ct);
        using var transcript = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var turns = transcript.RootElement.GetProperty("turns").EnumerateArray().Select(t => (Role: t.GetProperty("role").GetString(), Text: t.GetProperty("text").GetString())).ToList();
        var turn = Assert.Single(turns);
        Assert.Equal("assistant", turn.Role);
        Assert.Equal(Text, turn.Text);
    }

    /// <summary>From the first media frame on, asks the bridge to say the text until it accepts.</summary>
    private sealed class SayWhenLive(HttpClient admin, string text) : FakeTwilioCallObserver
    {
        private readonly TaskCompletionSource<HttpStatusCode> _said = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public string CallSid { get; set; } = string.Empty;

        public Task<HttpStatusCode> Said => _said.Task;

        public override void OnMediaSending(long frame)
        {
            if (Interlocked.Exchange(ref _started, 1) == 0)
            {
                _ = SayAsync();
            }
        }

        private async Task SayAsync()
        {
            try
            {
                // As an operator would: the call is listed once its start is accepted and answers 409 until its
                // upstream is connected; try again until it is accepted. Bounded in count (the call lasts 4 s).
                var status = HttpStatusCode.NotFound;
                for (var attempt = 0; attempt < 2000 && status is HttpStatusCode.NotFound or HttpStatusCode.Conflict; attempt++)
                {
                    using var body = new StringContent("{\"text\":\"" + text + "\"}", Encoding.UTF8, "application/json");
                    using var response = await admin.PostAsync(new Uri($"calls/{CallSid}/say", UriKind.Relative), body, Ct);
                    status = response.StatusCode;
                    await Task.Yield();
                }

                _said.TrySetResult(status);
            }
            catch (Exception ex)
            {
                _said.TrySetException(ex);
            }
        }
    }
}
