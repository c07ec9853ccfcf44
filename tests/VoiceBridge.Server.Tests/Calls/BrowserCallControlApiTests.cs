using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Calls;

/// <summary>
/// The call control API on a browser call, as on a phone call (<see cref="CallControlApiTests"/>): the real host, a
/// Realtime client on <c>/v1/realtime</c>, a scripted upstream. Instructions, say and hang-up work and are audited with the
/// admin key's id; transfer is for phone calls only.
/// </summary>
public sealed class BrowserCallControlApiTests : IDisposable
{
    private const string AdminKey = "admin-key-for-browser-tests-0123456789";
    private const string ApiKey = "bridge-key-for-browser-control-tests";
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-browser-control-").FullName;
    private readonly ScriptedUpstream _upstream = new();

    [Fact]
    public async Task Operator_ChangesInstructions_MakesTheAssistantSpeak_CannotTransfer_AndHangsUp_OnABrowserCall()
    {
        using var factory = Host();
        using var admin = AdminClient(factory);
        using var client = await ConnectAsync(factory);
        Assert.Equal("session.update", (await _upstream.NextAsync())["type"]!.GetValue<string>());
        await client.NextAsync("session.created");

        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonArray>("/calls", TestContext.Current.CancellationToken))!)!;
        Assert.Equal("browser", listed["transport"]!.GetValue<string>());
        Assert.Equal("live", listed["state"]!.GetValue<string>());
        var id = listed["id"]!.GetValue<string>();

        using (var response = await PostAsync(admin, $"/calls/{id}/instructions", """{"instructions":"Speak French from now on."}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var update = await _upstream.NextControlAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        Assert.Equal("Speak French from now on.", update["session"]!["instructions"]!.GetValue<string>());
        await client.NextAsync("session.updated");

        using (var response = await PostAsync(admin, $"/calls/{id}/say", """{"text":"Your table is ready."}"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var say = await _upstream.NextControlAsync();
        Assert.Equal("response.create", say["type"]!.GetValue<string>());
        Assert.EndsWith("\n\nYour table is ready.", say["response"]!["instructions"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(CallController.SayTag, say["response"]!["metadata"]!["voicebridge"]!.GetValue<string>());

        // The model says it: the client hears it.
        _upstream.Push("""{"type":"response.created","event_id":"e","response":{"id":"resp_say","object":"realtime.response","status":"in_progress","output":[],"metadata":{"voicebridge":"say"}}}""");
        _upstream.PushAudioDelta("resp_say", "item_say", new byte[4800]);
        _upstream.Push("""{"type":"response.output_audio_transcript.done","event_id":"e","response_id":"resp_say","item_id":"item_say","output_index":0,"content_index":0,"transcript":"Your table is ready."}""");
        _upstream.PushResponseDone("resp_say");
        var heard = await client.NextAsync("response.output_audio.delta");
        Assert.Equal("item_say", heard["item_id"]!.GetValue<string>());
        Assert.Equal("Your table is ready.", (await client.NextAsync("response.output_audio_transcript.done"))["transcript"]!.GetValue<string>());
        await client.NextAsync("response.done");

        using (var response = await PostAsync(admin, $"/calls/{id}/transfer", """{"to":"+14155550123"}"""))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        }

        using (var response = await PostAsync(admin, $"/calls/{id}/hangup", string.Empty))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await client.ReadToCloseAsync());
        Assert.Equal("call ended by the bridge", client.Socket.CloseStatusDescription);
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);

        // Every action taken is in the call's audit trail with the admin key's id, never the key; the refused transfer is not.
        await factory.Services.GetRequiredService<CallRegistry>().WhenEmpty.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var trail = await admin.GetStringAsync(new Uri($"/calls/{id}/audit", UriKind.Relative), TestContext.Current.CancellationToken);
        var controls = trail.Split('\n').Where(line => line.Contains("bridge.control", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, controls.Count);
        Assert.All(controls, line => Assert.Contains("\"admin_key_id\":\"" + AdminKeyId.Of(AdminKey) + "\"", line, StringComparison.Ordinal));
        Assert.Contains(controls, line => line.Contains("\"instructions\"", StringComparison.Ordinal));
        Assert.Contains(controls, line => line.Contains("\"say\"", StringComparison.Ordinal));
        Assert.Contains(controls, line => line.Contains("\"hangup\"", StringComparison.Ordinal));
        Assert.DoesNotContain(AdminKey, trail, StringComparison.Ordinal);
        Assert.Contains("ended_by_bridge", trail, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_auditDirectory, recursive: true);

    private WebApplicationFactory<Program> Host() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Audit:Directory", _auditDirectory);
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            host.UseSetting("Browser:ApiKeys:0", ApiKey);
            host.ConfigureServices(services => services.AddSingleton<IRealtimeConnector>(_upstream));
        });

    private static async Task<RealtimeTestClient> ConnectAsync(WebApplicationFactory<Program> factory)
    {
        using var http = factory.CreateClient();
        using var mint = new HttpRequestMessage(HttpMethod.Post, "/v1/realtime/client_secrets") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        mint.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var minted = await http.SendAsync(mint, TestContext.Current.CancellationToken);
        minted.EnsureSuccessStatusCode();
        var token = (await minted.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken))!["value"]!.GetValue<string>();
        var client = factory.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + token;
        return new RealtimeTestClient(await client.ConnectAsync(new Uri("ws://localhost/v1/realtime?model=gpt-realtime"), TestContext.Current.CancellationToken));
    }

    private static HttpClient AdminClient(WebApplicationFactory<Program> factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string json) =>
        client.PostAsync(new Uri(path, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
}
