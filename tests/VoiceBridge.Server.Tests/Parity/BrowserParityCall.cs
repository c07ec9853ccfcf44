using System.Net.WebSockets;
using System.Text.Json.Nodes;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>A browser call for the parity tests: the test plays a Realtime client.</summary>
internal sealed class BrowserParityCall(BrowserCallHarness call) : ParityCall
{
    public override string Transport => Browser;

    public override CallSession Session => call.Session;

    public override ScriptedUpstream Upstream => call.Upstream;

    public override Task<CallEndReason> Run => call.Run;

    public override WebSocketCloseStatus? CloseStatus => call.CloseStatus;

    public override string? CloseDescription => call.CloseDescription;

    public override IReadOnlyList<JsonObject> Errors => [.. call.Received.Where(e => e["type"]!.GetValue<string>() == "error")];

    public override string CallId => call.Session.CallId!;

    public BrowserCallHarness Harness => call;

    public override async Task SettledAsync()
    {
        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        await call.NextAsync("session.created");
    }

    public override Task SendMalformedJsonAsync() => call.SendAsync("{not json");

    public override Task SendUnknownEventAsync() => call.SendAsync("""{"type":"bogus.event","event_id":"evt_1"}""");

    public override Task SendTextAsync(string text) => call.SendAsync(text);

    public override Task SendBinaryAsync() => call.SendBinaryAsync([1, 2, 3]);

    public override Task SendOversizedAsync() => call.SendExpectingCloseAsync("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + new string('A', 70 * 1024) + "\"}");

    public override Task SyncCallerLoopAsync() => call.SyncCallerLoopAsync();

    public override Task<CallEndReason> EndAsync() => call.EndAsync();

    public override ValueTask DisposeAsync() => call.DisposeAsync();
}
