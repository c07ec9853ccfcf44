using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>The admin API's gate and its list of live calls.</summary>
public sealed class AdminApiTests : IDisposable
{
    private const string AdminKey = "admin-key-for-tests-0123456789abcdef";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-admin-").FullName;
    private readonly CallStartedSignal _started = new();
    private readonly WebApplicationFactory<Program> _factory;

    public AdminApiTests()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
            .UseSetting("Audit:Directory", _auditDirectory)
            .UseSetting("Audit:AdminKeys:0", AdminKey)
            .ConfigureTestServices(services => services.AddSingleton<ICallObserverFactory>(_started)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer ")]
    [InlineData("Basic " + AdminKey)]
    public async Task Calls_WithoutAValidAdminKey_Is401(string? authorization)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/calls");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Calls_ListsALivePhoneCallWithItsCaller_AndForgetsItWhenItEnds()
    {
        using var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var tokens = _factory.Services.GetRequiredService<CallTokens>();
        var registry = _factory.Services.GetRequiredService<CallRegistry>();
        const string CallSid = "CA0123456789abcdef0123456789abcdef";
        using var socket = await _factory.Server.CreateWebSocketClient().ConnectAsync(new Uri("ws://localhost/twilio/media"), TestContext.Current.CancellationToken);
        await SendAsync(socket, "{\"event\":\"start\",\"start\":{\"streamSid\":\"MZ1\",\"callSid\":\"" + CallSid
            + "\",\"customParameters\":{\"callToken\":\"" + tokens.Mint(CallSid, "+15551230000") + "\"}},\"streamSid\":\"MZ1\"}");

        // The list shows the call once its start message has been accepted: awaited as an event, then asked once.
        Assert.Equal(CallSid, await _started.Started.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var body = await client.GetStringAsync(new Uri("/calls", UriKind.Relative), TestContext.Current.CancellationToken);
        using var live = JsonDocument.Parse(body);
        var call = Assert.Single(live.RootElement.EnumerateArray());

        Assert.Equal(CallSid, call.GetProperty("id").GetString());
        Assert.Equal("twilio", call.GetProperty("transport").GetString());
        Assert.Equal("+15551230000", call.GetProperty("caller").GetString());
        // Readable as sent: the number's '+' is not escaped to \u002B (the response is JSON, never HTML).
        Assert.Contains("\"caller\":\"+15551230000\"", body, StringComparison.Ordinal);

        await SendAsync(socket, "{\"event\":\"stop\",\"streamSid\":\"MZ1\"}");
        var buffer = new byte[4096];
        while ((await socket.ReceiveAsync(buffer, TestContext.Current.CancellationToken)).MessageType != WebSocketMessageType.Close)
        {
        }

        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
        await registry.WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal("[]", await client.GetStringAsync(new Uri("/calls", UriKind.Relative), TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        _factory.Dispose();
        Directory.Delete(_auditDirectory, recursive: true);
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
}
