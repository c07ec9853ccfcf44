using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>The real host with the browser endpoint configured and the embedded simulator (fast pacing) upstream, recorded.</summary>
internal sealed class BrowserApp : IDisposable
{
    public const string ApiKey = "bridge-key-for-tests";
    public const string AllowedOrigin = "https://app.example.com";
    public const string ServerInstructions = "SERVER-ONLY-INSTRUCTIONS";

    private BrowserApp(WebApplicationFactory<Program> factory, RecordingConnector upstream)
    {
        Factory = factory;
        Upstream = upstream;
    }

    public WebApplicationFactory<Program> Factory { get; }

    public RecordingConnector Upstream { get; }

    public static BrowserApp Create(WebApplicationFactory<Program> factory, TimeProvider? time = null, params (string Key, string Value)[] settings) =>
        Create(factory, time, null, settings);

    /// <summary>As above, with the simulator's connector wrapped by <paramref name="wrap"/> (inside the recording).</summary>
    public static BrowserApp Create(WebApplicationFactory<Program> factory, TimeProvider? time, Func<IRealtimeConnector, IRealtimeConnector>? wrap, params (string Key, string Value)[] settings)
    {
        var clock = time ?? TimeProvider.System;
        IRealtimeConnector simulator = new SimulatorConnector(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, clock);
        var upstream = new RecordingConnector(wrap?.Invoke(simulator) ?? simulator);
        var configured = factory.WithWebHostBuilder(host =>
        {
            host.UseSetting("Browser:ApiKeys:0", ApiKey);
            host.UseSetting("Browser:AllowedOrigins:0", AllowedOrigin);
            host.UseSetting("Upstream:Instructions", ServerInstructions);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureServices(services =>
            {
                services.AddSingleton(clock);
                services.AddSingleton<IRealtimeConnector>(upstream);
            });
        });
        return new BrowserApp(configured, upstream);
    }

    public async Task<HttpResponseMessage> PostClientSecretAsync(string? apiKey, string body = "{}")
    {
        using var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/realtime/client_secrets") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<string> MintAsync(string body = "{}")
    {
        using var response = await PostClientSecretAsync(ApiKey, body);
        response.EnsureSuccessStatusCode();
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        return json!["value"]!.GetValue<string>();
    }

    public async Task<RealtimeTestClient> ConnectAsync(string? token, bool viaSubprotocol = false, string? origin = null)
    {
        var client = Factory.Server.CreateWebSocketClient();
        if (viaSubprotocol)
        {
            client.SubProtocols.Add("realtime");
            client.SubProtocols.Add("openai-insecure-api-key." + token);
        }

        client.ConfigureRequest = request =>
        {
            if (!viaSubprotocol && token is not null)
            {
                request.Headers.Authorization = "Bearer " + token;
            }

            if (origin is not null)
            {
                request.Headers.Origin = origin;
            }
        };
        var socket = await client.ConnectAsync(new Uri("ws://localhost/v1/realtime?model=gpt-realtime"), TestContext.Current.CancellationToken);
        return new RealtimeTestClient(socket);
    }

    /// <summary>Mints a token and connects; the session.created greeting has been read.</summary>
    public async Task<RealtimeTestClient> StartAsync(string body = "{}")
    {
        var client = await ConnectAsync(await MintAsync(body));
        var created = await client.NextAsync("session.created");
        client.Created = created;
        return client;
    }

    public void Dispose() => Factory.Dispose();
}
