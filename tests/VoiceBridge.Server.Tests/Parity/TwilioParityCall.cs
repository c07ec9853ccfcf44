using System.Net.WebSockets;
using System.Text.Json.Nodes;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>A phone call for the parity tests: the test plays Twilio.</summary>
internal sealed class TwilioParityCall(TwilioCallHarness call) : ParityCall
{
    public override string Transport => Twilio;

    public override CallSession Session => call.Session;

    public override ScriptedUpstream Upstream => call.Upstream;

    public override Task<CallEndReason> Run => call.Run;

    public override WebSocketCloseStatus? CloseStatus => call.Twilio.CloseStatus;

    public override string? CloseDescription => call.Twilio.CloseStatusDescription;

    public override IReadOnlyList<JsonObject> Errors => [];

    public override string CallId => TwilioCallHarness.CallSid;

    public override async Task SettledAsync() =>
        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());

    public override Task SendMalformedJsonAsync() => call.SendAsync("{not json");

    public override Task SendUnknownEventAsync() => call.SendAsync("""{"event":"bogus","streamSid":"MZ00112233445566778899aabbccddeeff"}""");

    public override Task SendTextAsync(string text) => call.SendAsync(text);

    public override Task SendBinaryAsync() => call.SendBinaryAsync([1, 2, 3]);

    public override Task SendOversizedAsync() => call.SendExpectingCloseAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + new string('A', 70 * 1024) + "\"}}");

    public override Task SyncCallerLoopAsync() => call.SyncCallerLoopAsync();

    public override Task<CallEndReason> EndAsync() => call.EndAsync();

    public override ValueTask DisposeAsync() => call.DisposeAsync();
}
