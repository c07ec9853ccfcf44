using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Tests.Calls;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Tests.Tools;

/// <summary>A tool that exists only in configuration: offered to the model with its schema, called, and answered.</summary>
public sealed class ConfiguredToolTests : IDisposable
{
    private const string AuthToken = "twilio-auth-token-for-tests";
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-tools-").FullName;

    [Fact]
    public async Task ToolConfiguredOnlyInSettings_IsOfferedCalledAndAnswered()
    {
        await using var endpoint = await LoopbackHttpServer.StartAsync((context, request) =>
            context.Response.WriteAsync("""{"status":"shipped","eta":"2026-10-14"}"""));
        var simulator = new RecordingSimulator(new SimulatorOptions
        {
            Turns = [new SimulatorTurn { Turn = 1, FunctionCall = new SimulatorFunctionCall { Name = "lookup_order", Arguments = """{"order_number":"48213"}""" } }],
        });
        using var factory = Host(
            simulator,
            ("Tools:Http:lookup_order:Description", "Look up an order by number."),
            ("Tools:Http:lookup_order:Endpoint", new Uri(endpoint.BaseAddress, "orders").ToString()),
            ("Tools:Http:lookup_order:Headers:X-Api-Key", "from-user-secrets"),
            ("Tools:Http:lookup_order:Parameters:type", "object"),
            ("Tools:Http:lookup_order:Parameters:properties:order_number:type", "string"),
            ("Tools:Http:lookup_order:Parameters:required:0", "order_number"),
            ("Tools:Http:lookup_order:Parameters:additionalProperties", "false"));
        using var phone = await PhoneCallClient.ConnectAsync(factory, AuthToken, CallSid);

        var update = await simulator.NextControlAsync();
        var tool = Assert.Single(update["session"]!["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "lookup_order")!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"type":"object","properties":{"order_number":{"type":"string"}},"required":["order_number"],"additionalProperties":false}"""),
            tool["parameters"]));

        await CallerSpeech.SpeakAsync(phone.SendMediaAsync);

        var request = await endpoint.NextAsync();
        Assert.Equal("from-user-secrets", request.Headers["X-Api-Key"]);
        var events = await simulator.UntilAsync("response.create");
        var output = Assert.Single(events, e => e["type"]!.GetValue<string>() == "conversation.item.create")["item"]!;
        Assert.Equal("""{"status":"shipped","eta":"2026-10-14"}""", output["output"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Tools:Http:lookup_order:Endpoint", "not a url", "Tools:Http:lookup_order:Endpoint")]
    [InlineData("Tools:Http:lookup_order:ParametersJson", "{\"type\":\"string\"}", "\"type\": \"object\"")]
    [InlineData("Tools:Http:lookup_order:TimeoutSeconds", "0", "Tools:Http:lookup_order:TimeoutSeconds")]
    [InlineData("Tools:TransferNumber", "555-0199", "Tools:TransferNumber")]
    public void BadToolConfiguration_StopsTheBootWithTheKeyInTheMessage(string key, string value, string expected)
    {
        using var factory = Host(
            null,
            ("Tools:Http:lookup_order:Description", "Look up an order."),
            ("Tools:Http:lookup_order:Endpoint", "http://127.0.0.1:9/orders"),
            ("Tools:Http:lookup_order:ParametersJson", """{"type":"object"}"""),
            (key, value));

        var failure = Assert.ThrowsAny<Exception>(() => factory.Services.GetRequiredService<IOptions<ToolsOptions>>().Value);

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_auditDirectory, recursive: true);

    private WebApplicationFactory<Program> Host(IRealtimeConnector? connector, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Audit:Directory", _auditDirectory);
            host.UseSetting("Twilio:AuthToken", AuthToken);
            host.UseSetting("Twilio:PublicBaseUrl", PhoneCallClient.PublicBaseUrl);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            if (connector is not null)
            {
                host.ConfigureServices(services => services.AddSingleton(connector));
            }
        });
}
