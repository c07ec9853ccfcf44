using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;
using VoiceBridge.Server.Tests.Sessions;
using VoiceBridge.Server.Tests.Tools;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// Server-side tools and the call controller on a browser call, as on a phone call (<see cref="ToolCallTests"/>,
/// <see cref="BuiltInToolTests"/>, <see cref="IdleTests"/>): the server runs the tool and answers the model; the client
/// sees neither the call nor the tools unless <c>Browser:ExposeTools</c> is on; end_call ends the call once the goodbye
/// has played, and the idle clock starts once the assistant's audio has played.
/// </summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class BrowserToolTests
{
    private const string Order = """{"order_number":"48213"}""";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConfiguredTool_IsRunByTheServer_AndTheClientSeesItOnlyWithExposeTools(bool exposeTools)
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, _) => context.Response.WriteAsync("""{"status":"shipped"}"""));
        var simulator = new RecordingSimulator(new SimulatorOptions
        {
            Turns = [new SimulatorTurn { Turn = 1, FunctionCalls = [new SimulatorFunctionCall { Name = "lookup_order", Arguments = Order }] }],
        });
        var services = ControlServices.Create([ControlServices.HttpTool("lookup_order", new Uri(endpoint.BaseAddress, "orders"))]);
        await using var call = await BrowserCallHarness.CreateAsync(
            new SessionPolicy { Tools = services.Tools.Definitions }, connector: simulator, control: services, exposeTools: exposeTools);
        var update = await simulator.NextControlAsync();
        Assert.Contains(update["session"]!["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "lookup_order");
        var created = await call.NextAsync("session.created");

        await call.SendAudioAsync(BrowserSignals.Utterance(24000, leadMs: 200, speechMs: 800, trailMs: 800));

        // The server ran the tool and answered the model itself.
        var request = await endpoint.NextAsync();
        Assert.Equal(Order, request.Body);
        Assert.Equal(call.Session.CallId, request.Headers["X-VoiceBridge-Call"]);
        var sent = await simulator.UntilAsync("response.create");
        var output = Assert.Single(sent, e => e["type"]!.GetValue<string>() == "conversation.item.create")["item"]!;
        Assert.Equal("function_call_output", output["type"]!.GetValue<string>());
        Assert.Equal("""{"status":"shipped"}""", output["output"]!.GetValue<string>());

        // The client hears the model's answer to the result: a second response with audio.
        var responses = 0;
        while (responses < 2)
        {
            var done = await call.NextAsync("response.done");
            responses++;
            Assert.Equal("completed", done["response"]!["status"]!.GetValue<string>());
        }

        Assert.Contains(call.Received, e => e["type"]!.GetValue<string>() == "response.output_audio.delta");
        var seen = string.Join('\n', call.Received.Select(e => e.ToJsonString()));
        if (exposeTools)
        {
            Assert.Contains(created["session"]!["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "lookup_order");
            Assert.Contains(call.Received, e => e["type"]!.GetValue<string>() == "response.function_call_arguments.done" && e["name"]!.GetValue<string>() == "lookup_order");
            Assert.Contains("function_call_output", seen, StringComparison.Ordinal);
        }
        else
        {
            // No trace of the tool: not its definition, not the model's call, not its arguments, not the server's answer.
            Assert.Null(created["session"]!["tools"]);
            Assert.DoesNotContain("lookup_order", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("48213", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("function_call", seen, StringComparison.Ordinal);
            Assert.DoesNotContain("shipped", seen, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EndCall_EndsTheBrowserCall_OnlyOnceTheGoodbyeHasPlayed()
    {
        var services = ControlServices.Create(time: _time);
        await using var call = await BrowserCallHarness.CreateAsync(new SessionPolicy { Tools = services.Tools.Definitions }, time: _time, control: services);
        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        await call.NextAsync("session.created");

        var output = await CallToolAsync(call.Upstream, EndCallTool.ToolName);
        Assert.Equal("ending", JsonNode.Parse(output["item"]!["output"]!.GetValue<string>())!["status"]!.GetValue<string>());
        var goodbye = await call.Upstream.NextControlAsync();
        Assert.Equal(CallController.GoodbyeTag, goodbye["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());

        // The goodbye: 1 s of audio, relayed to the client at once.
        SpeakGoodbye(call.Upstream, audioMs: 1000);
        await call.NextAsync("response.done");
        await call.Upstream.DrainedAsync();
        _time.Advance(TimeSpan.FromMilliseconds(900));

        // Generated and sent, still playing at the client: the call is up.
        Assert.False(call.Run.IsCompleted);
        Assert.Equal("ending", call.Session.State);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(CallEndReason.EndedByBridge, await call.EndAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, call.CloseStatus);
        Assert.Equal("call ended by the bridge", call.CloseDescription);
    }

    [Fact]
    public async Task SilentClient_IsPromptedOnceTheAssistantsAudioHasPlayed()
    {
        var services = ControlServices.Create(session: new SessionOptions { IdlePromptSeconds = 5 }, time: _time);
        await using var call = await BrowserCallHarness.CreateAsync(time: _time, control: services);
        Assert.Equal("session.update", (await call.Upstream.NextAsync())["type"]!.GetValue<string>());
        await call.NextAsync("session.created");

        // The assistant says 2 s of something; the client plays it from the first delta.
        call.Upstream.PushResponseCreated("resp_hello");
        call.Upstream.PushAudioDelta("resp_hello", "item_hello", new byte[2 * 48_000]);
        call.Upstream.PushResponseDone("resp_hello");
        await call.NextAsync("response.done");
        await call.Upstream.DrainedAsync();

        // The silence starts when the audio has played (2 s), not when it was generated.
        _time.Advance(TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(call.Upstream.TryNext(out _));
        _time.Advance(TimeSpan.FromSeconds(0.1));
        var prompt = await call.Upstream.NextControlAsync();
        Assert.Equal(CallController.IdlePromptTag, prompt["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());
    }

    // The model calls the tool (GA shape); returns the function_call_output the bridge sent.
    private static async Task<JsonNode> CallToolAsync(ScriptedUpstream upstream, string name)
    {
        upstream.PushResponseCreated("resp_tool");
        upstream.Push($$$"""{"type":"response.output_item.added","event_id":"e","response_id":"resp_tool","output_index":0,"item":{"id":"item_fc","type":"function_call","object":"realtime.item","status":"in_progress","name":"{{{name}}}","call_id":"call_1","arguments":""}}""");
        upstream.Push($$$"""{"type":"response.function_call_arguments.done","event_id":"e","response_id":"resp_tool","item_id":"item_fc","output_index":0,"call_id":"call_1","name":"{{{name}}}","arguments":"{}"}""");
        upstream.Push($$$"""{"type":"response.done","event_id":"e","response":{"id":"resp_tool","object":"realtime.response","status":"completed","output":[{"id":"item_fc","type":"function_call","object":"realtime.item","status":"completed","name":"{{{name}}}","call_id":"call_1","arguments":"{}"}]}}""");
        var output = await upstream.NextControlAsync();
        Assert.Equal("conversation.item.create", output["type"]!.GetValue<string>());
        Assert.Equal("call_1", output["item"]!["call_id"]!.GetValue<string>());
        return output;
    }

    private static void SpeakGoodbye(ScriptedUpstream upstream, int audioMs)
    {
        upstream.Push("""{"type":"response.created","event_id":"e","response":{"id":"resp_bye","object":"realtime.response","status":"in_progress","output":[],"metadata":{"voicebridge":"goodbye"}}}""");
        upstream.PushAudioDelta("resp_bye", "item_bye", new byte[audioMs * 48]);
        upstream.Push("""{"type":"response.output_audio.done","event_id":"e","response_id":"resp_bye","item_id":"item_bye","output_index":0,"content_index":0}""");
        upstream.PushResponseDone("resp_bye");
    }
}
