using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>
/// Each tool path against the simulator's scripted function calls (GA wire shape), with a real HTTP tool endpoint on
/// loopback: the model's call is answered with a function_call_output, then one response.create, whatever the tool did.
/// </summary>
[Collection(nameof(PooledBufferAccounting))]
public sealed class ToolCallTests
{
    private const string Order = """{"order_number":"48213"}""";

    [Fact]
    public async Task ToolCall_IsPostedToTheEndpoint_AndItsAnswerGoesBackBeforeOneResponseCreate()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, _) => context.Response.WriteAsync("""{"status":"shipped"}"""));
        var simulator = Script(new SimulatorFunctionCall { Name = "lookup_order", Arguments = Order });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", new Uri(endpoint.BaseAddress, "orders")));

        await CallerSpeech.SpeakAsync(call);

        var request = await endpoint.NextAsync();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/orders", request.PathAndQuery);
        Assert.Equal(Order, request.Body);
        Assert.Equal("Bearer tool-secret", request.Headers["Authorization"]);
        Assert.Equal(TwilioCallHarness.CallSid, request.Headers["X-VoiceBridge-Call"]);
        var output = Assert.Single(Outputs(await simulator.UntilAsync("response.create")));
        Assert.Equal("""{"status":"shipped"}""", output["output"]!.GetValue<string>());
        Assert.StartsWith("call_sim", output["call_id"]!.GetValue<string>(), StringComparison.Ordinal);

        // The model's answer to the result reaches the caller.
        await call.ReceiveUntilAsync("media");
    }

    [Fact]
    public async Task ToolCall_RunsUnderItsOwnSpan_AndTheHttpRequestCarriesThatTrace()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "VoiceBridge",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, _) => context.Response.WriteAsync("""{"status":"shipped"}"""));
        var simulator = Script(new SimulatorFunctionCall { Name = "lookup_order", Arguments = Order });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", new Uri(endpoint.BaseAddress, "orders")));

        await CallerSpeech.SpeakAsync(call);
        var request = await endpoint.NextAsync();
        await simulator.UntilAsync("response.create");

        // W3C traceparent: version-traceid-spanid-flags. The tool's span is the HTTP request's ancestor.
        var traceId = request.Headers["traceparent"].Split('-')[1];
        var span = Assert.Single(stopped, a => a.DisplayName == "execute_tool lookup_order" && a.TraceId.ToHexString() == traceId);
        Assert.Equal("lookup_order", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task EndpointThatDoesNotAnswerInTime_BecomesAnOutputTheModelCanSpeakAbout()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync(async (context, _) =>
        {
            // Never answers; the request ends when the bridge gives up on it.
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        });
        var simulator = Script(new SimulatorFunctionCall { Name = "lookup_order", Arguments = Order });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", endpoint.BaseAddress, timeoutSeconds: 0.3));

        await CallerSpeech.SpeakAsync(call);

        var output = Assert.Single(Outputs(await simulator.UntilAsync("response.create")));
        Assert.Contains("did not answer within 0.3 seconds", Error(output), StringComparison.Ordinal);
        await call.ReceiveUntilAsync("media");
    }

    [Fact]
    public async Task EndpointAnsweringAnHttpError_BecomesAnOutputTheModelCanSpeakAbout()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return context.Response.WriteAsync("down for maintenance");
        });
        var simulator = Script(new SimulatorFunctionCall { Name = "lookup_order", Arguments = Order });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", endpoint.BaseAddress));

        await CallerSpeech.SpeakAsync(call);

        var output = Assert.Single(Outputs(await simulator.UntilAsync("response.create")));
        Assert.Contains("HTTP 503", Error(output), StringComparison.Ordinal);
        Assert.DoesNotContain("maintenance", output["output"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidArguments_AreRefusedWithoutCallingTheEndpoint_AndTheModelIsToldWhy()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, _) => context.Response.WriteAsync("{}"));
        var simulator = Script(new SimulatorFunctionCall { Name = "lookup_order", Arguments = """{"order_number":48213}""" });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", endpoint.BaseAddress));

        await CallerSpeech.SpeakAsync(call);

        var output = Assert.Single(Outputs(await simulator.UntilAsync("response.create")));
        Assert.Contains("arguments.order_number must be of type string, got number", Error(output), StringComparison.Ordinal);
        Assert.Equal(0, endpoint.RequestCount);
    }

    [Fact]
    public async Task TwoCallsInOneResponse_RunInParallel_AndAreFollowedByExactlyOneResponseCreate()
    {
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var endpoint = await LoopbackHttpServer.StartAsync(async (context, request) =>
        {
            if (request.Body.Contains("\"1\"", StringComparison.Ordinal))
            {
                // The first call answers only once the second has arrived: run one after the other, both would time out.
                await secondArrived.Task.WaitAsync(context.RequestAborted);
            }
            else
            {
                secondArrived.TrySetResult();
            }

            await context.Response.WriteAsync("{\"order\":" + request.Body + "}");
        });
        var simulator = Script(
            new SimulatorFunctionCall { Name = "lookup_order", Arguments = """{"order_number":"1"}""" },
            new SimulatorFunctionCall { Name = "lookup_order", Arguments = """{"order_number":"2"}""" });
        await using var call = await StartAsync(simulator, ControlServices.HttpTool("lookup_order", endpoint.BaseAddress, timeoutSeconds: 10));

        await CallerSpeech.SpeakAsync(call);

        var outputs = Outputs(await simulator.UntilAsync("response.create"));
        Assert.Equal(2, outputs.Count);
        Assert.NotEqual(outputs[0]["call_id"]!.GetValue<string>(), outputs[1]["call_id"]!.GetValue<string>());
        Assert.All(outputs, o => Assert.StartsWith("{\"order\":", o["output"]!.GetValue<string>(), StringComparison.Ordinal));

        // The answer streams only after the response.create; by then a second one would have been sent too.
        await call.ReceiveUntilAsync("media");
        Assert.DoesNotContain(simulator.Drain(), e => e["type"]!.GetValue<string>() == "response.create");
    }

    private static RecordingSimulator Script(params SimulatorFunctionCall[] calls) =>
        new(new SimulatorOptions { Turns = [new SimulatorTurn { Turn = 1, FunctionCalls = calls }] });

    internal static async Task<TwilioCallHarness> StartAsync(RecordingSimulator simulator, params ITool[] tools)
    {
        var services = ControlServices.Create(tools);
        var call = await TwilioCallHarness.CreateAsync(new SessionPolicy { Tools = services.Tools.Definitions }, connector: simulator, control: services);
        await call.SendAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, "+14155550100"));
        var update = await simulator.NextControlAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        Assert.Contains(update["session"]!["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == EndCallTool.ToolName);
        return call;
    }

    private static List<JsonNode> Outputs(List<JsonNode> events) =>
        [.. events.Where(e => e["type"]!.GetValue<string>() == "conversation.item.create" && e["item"]!["type"]!.GetValue<string>() == "function_call_output")
            .Select(e => e["item"]!)];

    private static string Error(JsonNode output) => JsonNode.Parse(output["output"]!.GetValue<string>())!["error"]!.GetValue<string>();
}
