using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>POST /v1/realtime/client_secrets: OpenAI's shapes, authenticated with a bridge API key.</summary>
public sealed class ClientSecretsTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Mint_WithABridgeKey_ReturnsAnEkTokenItsExpiryAndTheEffectiveSession()
    {
        using var app = BrowserApp.Create(factory);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var response = await app.PostClientSecretAsync(BrowserApp.ApiKey,
            """{"expires_after":{"anchor":"created_at","seconds":120},"session":{"type":"realtime","model":"gpt-realtime","audio":{"output":{"voice":"cedar"}}}}""");
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("ek_", json!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        var expiresAt = json["expires_at"]!.GetValue<long>();
        Assert.InRange(expiresAt, before + 119, before + 125);
        var session = json["session"]!.AsObject();
        Assert.Equal("gpt-realtime", session["model"]!.GetValue<string>());
        Assert.Equal("cedar", session["audio"]!["output"]!["voice"]!.GetValue<string>());
        // The server's instructions are policy, not something the client is shown.
        Assert.DoesNotContain(BrowserApp.ServerInstructions, json.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-bridge-key")]
    public async Task Mint_WithoutAValidBridgeKey_Is401(string? key)
    {
        using var app = BrowserApp.Create(factory);

        using var response = await app.PostClientSecretAsync(key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("invalid_api_key", json!["error"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"expires_after":{"anchor":"created_at","seconds":5}}""", "expires_after")]
    [InlineData("""{"expires_after":{"anchor":"created_at","seconds":7201}}""", "expires_after")]
    [InlineData("""{"session":{"type":"realtime","model":"gpt-4o-realtime-preview"}}""", "session.model")]
    [InlineData("""{"session":{"type":"transcription"}}""", "session.type")]
    [InlineData("""{"session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":44100}}}}}""", "session.audio")]
    public async Task Mint_WithARequestTheBridgeCannotServe_Is400WithTheParam(string body, string param)
    {
        using var app = BrowserApp.Create(factory);

        using var response = await app.PostClientSecretAsync(BrowserApp.ApiKey, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal(param, json!["error"]!["param"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"session":{"type":"realtime","instructions":"a","instructions":"b"}}""", "instructions")]
    [InlineData("""{"session":{"type":"realtime","audio":{"output":{"voice":"cedar","voice":"marin"}}}}""", "voice")]
    [InlineData("""{"session":{"type":"realtime"},"session":{"type":"realtime"}}""", "session")]
    [InlineData("""{"expires_after":{"anchor":"created_at","seconds":60,"seconds":7000}}""", "seconds")]
    public async Task Mint_WithARepeatedKey_Is400DuplicateKey_NamingTheKey(string body, string key)
    {
        using var app = BrowserApp.Create(factory);

        using var response = await app.PostClientSecretAsync(BrowserApp.ApiKey, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("duplicate_key", json!["error"]!["code"]!.GetValue<string>());
        Assert.Contains("'" + key + "'", json["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mint_WithGarbageBody_Is400()
    {
        using var app = BrowserApp.Create(factory);

        using var response = await app.PostClientSecretAsync(BrowserApp.ApiKey, "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
