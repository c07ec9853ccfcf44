extern alias cli;

using System.Net;
using System.Text;
using System.Text.Json;
using cli::VoiceBridge.Cli.Call;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests.Audit;

/// <summary>An operator's <c>say</c> on a live phone call with the simulator upstream: the transcript shows the text.</summary>
public sealed class SayEndToEndTests
{
    /// <summary>What the caller must hear of the say: one second (8 kHz μ-law, a byte per sample).</summary>
    private const int MinimumReply = 8 * 1000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminSay_OnACallWithTheSimulator_IsHeard_AndTheTranscriptShowsTheText()
    {
        const string Text = "Your table is ready.";
        var calls = new ControllableCalls();
        await using var bridge = await BridgeUnderTest.StartAsync(configure: host =>
            host.ConfigureTestServices(services => services.AddSingleton<ICallFeatureFactory>(calls)));
        using var admin = bridge.AdminClient();
        using var http = new HttpClient();
        var callSid = "CA" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        // The caller says nothing: any reply is the say. It hangs up once the whole reply was generated and at least
        // MinimumReply of it arrived, or after 20 s: on a starved machine the reply can come seconds late.
        var reply = new ReplyArrival(MinimumReply, TimeSpan.FromSeconds(20), calls.ReplyDone(callSid));
        using var call = new FakeTwilioCall(
            new FakeTwilioCallOptions
            {
                ServerUrl = bridge.BaseUri,
                AuthToken = BridgeUnderTest.AuthToken,
                CallSid = callSid,
                CallerAudio = Enumerable.Repeat((byte)0xFF, 8000 * 2).ToArray(),
                Tail = TimeSpan.Zero,
                PlayoutDelay = TimeSpan.FromMilliseconds(200),
                Observer = reply,
            },
            http);

        var said = SayOnceControllableAsync(admin, calls.Controllable(callSid), callSid, Text);
        var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        var status = await said.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.True(result.BytesReceived >= MinimumReply, $"the caller heard {result.BytesReceived / 8} ms");
        using var response = await admin.GetAsync(new Uri($"calls/{result.CallSid}/transcript", UriKind.Relative), Ct);
        using var transcript = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var turns = transcript.RootElement.GetProperty("turns").EnumerateArray().Select(t => (Role: t.GetProperty("role").GetString(), Text: t.GetProperty("text").GetString())).ToList();
        var turn = Assert.Single(turns);
        Assert.Equal("assistant", turn.Role);
        Assert.Equal(Text, turn.Text);
    }

    /// <summary>As an operator would once the call is controllable: one request, no retries (a 409 would be a bug).</summary>
    private static async Task<HttpStatusCode> SayOnceControllableAsync(HttpClient admin, Task controllable, string callSid, string text)
    {
        await controllable.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        using var body = new StringContent("{\"text\":\"" + text + "\"}", Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(new Uri($"calls/{callSid}/say", UriKind.Relative), body, Ct);
        return response.StatusCode;
    }
}
