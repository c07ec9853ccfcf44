extern alias cli;

using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using cli::VoiceBridge.Cli.Simulator;
using cli::VoiceBridge.Cli.SipCall;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Server.Core;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// A simulated SIP call end to end over real sockets: the phone of <c>voicebridge sip-call</c> rings the simulator, which
/// signs <c>realtime.call.incoming</c> to the bridge's webhook; the bridge accepts with its policy and holds the
/// sideband; the phone speaks, the model calls <c>end_call</c>, the bridge answers the tool and hangs up once the
/// goodbye has played; the trail verifies and holds the turn.
/// </summary>
public sealed class SipCallEndToEndTests
{
    private static readonly string Secret = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("sip-end-to-end-secret-0123456789"));

    [Fact]
    public async Task ASimulatedSipCall_IsAcceptedWithThePolicy_AndEndedByTheBridgeAfterTheGoodbyePlayed()
    {
        var ct = TestContext.Current.CancellationToken;
        var simulator = new SimulatorServer(
            new SimulatorOptions { Turns = [new SimulatorTurn { Turn = 1, FunctionCall = new SimulatorFunctionCall { Name = "end_call" } }] },
            TimeProvider.System);
        await using var bridge = await BridgeUnderTest.StartAsync(
            simulator: simulator,
            settings: [("Upstream:WebhookSecret", Secret), ("Upstream:TranscriptionModel", "whisper-1"), ("Upstream:Instructions", "You answer the phone for ACME.")]);
        simulator.WebhookUrl = new Uri(bridge.BaseUri, "/openai/webhook");
        simulator.WebhookSecret = Secret;
        using var http = new HttpClient();

        var result = await new SimulatedSipPhone(http, simulator.HttpUri, TimeProvider.System)
            .CallAsync("+15551230000", Signals.Voice(seconds: 1.0, silenceAfterSeconds: 0, rate: 24000), TimeSpan.FromSeconds(8), ct);

        Assert.Equal(200, result.WebhookStatus);
        Assert.True(result.Answered);
        Assert.Equal("hung up by the server", result.EndReason);
        Assert.True(result.Heard.Any(s => Math.Abs((int)s) > 650), "the caller heard the goodbye");
        var session = JsonNode.Parse(bridge.Simulator.Calls.Find(result.CallId)!.Session!)!;
        Assert.Equal("You answer the phone for ACME.", session["instructions"]!.GetValue<string>());

        await bridge.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(15), ct);
        using var admin = bridge.AdminClient();
        var trail = await admin.GetByteArrayAsync(new Uri($"/calls/{result.CallId}/audit", UriKind.Relative), ct);
        Assert.Equal(AuditFileStatus.Complete, AuditVerifier.Verify(trail, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status);
        var text = Encoding.UTF8.GetString(trail);
        Assert.Contains("\"sip\"", text, StringComparison.Ordinal);
        Assert.Contains("\"function_call_output\"", text, StringComparison.Ordinal);
        Assert.Contains("\"end_reason\":\"ended_by_bridge\"", text, StringComparison.Ordinal);
        var transcript = (await admin.GetFromJsonAsync<JsonObject>($"/calls/{result.CallId}/transcript", ct))!["turns"]!.AsArray();
        Assert.Contains(transcript, t => t!["role"]!.GetValue<string>() == "caller" && t["text"]!.GetValue<string>().StartsWith("[audio ", StringComparison.Ordinal));
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"simulated SIP call (voicebridge sip-call's phone, simulator media over a loopback WebSocket): first audible goodbye {result.FirstAudioAfterSpeech?.TotalMilliseconds:F0} ms after the phone stopped speaking (includes the VAD's 500 ms silence and the bridge's end_call tool)"));
    }
}
