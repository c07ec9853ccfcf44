using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Realtime.Tests.Upstream;

public sealed class UpstreamRequestBuilderTests
{
    [Fact]
    public void OpenAI_UsesGaUrlWithEscapedModel_AndBearerHeader()
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.OpenAI,
            ApiKey = "sk-test",
            Model = "gpt-realtime 2&x",
        });

        Assert.Equal("wss://api.openai.com/v1/realtime?model=gpt-realtime%202%26x", request.Uri.AbsoluteUri);
        var header = Assert.Single(request.Headers);
        Assert.Equal("Authorization", header.Key);
        Assert.Equal("Bearer sk-test", header.Value);
    }

    [Theory]
    [InlineData("https://contoso.openai.azure.com")]
    [InlineData("https://contoso.openai.azure.com/")]
    [InlineData("wss://contoso.openai.azure.com")]
    [InlineData("https://contoso.openai.azure.com/openai/v1/")]
    [InlineData("https://contoso.openai.azure.com/openai/v1/realtime")]
    [InlineData("https://contoso.openai.azure.com/openai/v1/realtime?api-version=2025-04-01-preview&deployment=old")]
    public void Azure_ResourceUrlForms_BecomeTheGaRealtimeUrlWithTheDeployment(string endpoint)
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.AzureOpenAI,
            Endpoint = new Uri(endpoint),
            ApiKey = "azure-key",
            Model = "my-realtime-deployment",
        });

        Assert.Equal("wss://contoso.openai.azure.com/openai/v1/realtime?model=my-realtime-deployment", request.Uri.AbsoluteUri);
        Assert.DoesNotContain("api-version", request.Uri.Query, StringComparison.OrdinalIgnoreCase);
        var header = Assert.Single(request.Headers);
        Assert.Equal("api-key", header.Key);
        Assert.Equal("azure-key", header.Value);
    }

    [Fact]
    public void Azure_BehindAGatewayPrefix_KeepsThePrefixAndPort()
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.AzureOpenAI,
            Endpoint = new Uri("http://127.0.0.1:5055/gateway"),
            ApiKey = "k",
            Model = "dep",
        });

        Assert.Equal("ws://127.0.0.1:5055/gateway/openai/v1/realtime?model=dep", request.Uri.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8090/v1/realtime", "ws://127.0.0.1:8090/v1/realtime?model=gpt-realtime")]
    [InlineData("https://gateway.example.com/v1/realtime", "wss://gateway.example.com/v1/realtime?model=gpt-realtime")]
    [InlineData("ws://localhost:9000/realtime?region=eu", "ws://localhost:9000/realtime?region=eu&model=gpt-realtime")]
    [InlineData("wss://gateway.example.com/v1/realtime?model=custom", "wss://gateway.example.com/v1/realtime?model=custom")]
    public void EndpointOverride_IsUsedAsGiven_WithModelAddedWhenAbsent(string endpoint, string expected)
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.OpenAI,
            Endpoint = new Uri(endpoint),
            ApiKey = "sk-test",
        });

        Assert.Equal(expected, request.Uri.AbsoluteUri);
        Assert.Equal("Bearer sk-test", Assert.Single(request.Headers).Value);
    }

    [Fact]
    public void SimulatorEndpoint_WithoutKey_SendsNoAuthorizationHeader()
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.Simulator,
            Endpoint = new Uri("ws://127.0.0.1:8091/v1/realtime"),
        });

        Assert.Equal("ws://127.0.0.1:8091/v1/realtime?model=gpt-realtime", request.Uri.AbsoluteUri);
        Assert.Empty(request.Headers);
    }

    [Theory]
    [InlineData(UpstreamProvider.OpenAI, null)]
    [InlineData(UpstreamProvider.OpenAI, "https://gateway.example.com/v1/realtime")]
    [InlineData(UpstreamProvider.AzureOpenAI, "https://contoso.openai.azure.com")]
    [InlineData(UpstreamProvider.Simulator, "ws://127.0.0.1:8091/")]
    public void NoProvider_EverSendsTheRetiredBetaHeader(UpstreamProvider provider, string? endpoint)
    {
        var request = UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = provider,
            Endpoint = endpoint is null ? null : new Uri(endpoint),
            ApiKey = "key",
        });

        Assert.DoesNotContain(request.Headers, h => h.Key.Equals("OpenAI-Beta", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void UnreachableSettings_AreRejectedWithAReason()
    {
        Assert.Throws<ArgumentException>(() => UpstreamRequestBuilder.Build(new UpstreamSettings { Provider = UpstreamProvider.Simulator }));
        Assert.Throws<ArgumentException>(() => UpstreamRequestBuilder.Build(new UpstreamSettings { Provider = UpstreamProvider.AzureOpenAI, ApiKey = "k" }));
        Assert.Throws<ArgumentException>(() => UpstreamRequestBuilder.Build(new UpstreamSettings
        {
            Provider = UpstreamProvider.OpenAI,
            Endpoint = new Uri("ftp://example.com/realtime"),
        }));
    }

    [Fact]
    public void ToString_NeverShowsTheKey()
    {
        var settings = new UpstreamSettings { Provider = UpstreamProvider.OpenAI, ApiKey = "sk-very-secret" };
        var request = UpstreamRequestBuilder.Build(settings);

        Assert.DoesNotContain("sk-very-secret", settings.ToString(), StringComparison.Ordinal);
        Assert.Contains("ApiKey = (set)", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-very-secret", request.ToString(), StringComparison.Ordinal);
        Assert.Contains("Authorization", request.ToString(), StringComparison.Ordinal);
    }
    [Fact]
    public void Calls_OnOpenAI_AreTheRealtimeUrlOverHttps_WithoutTheModel_AndTheSidebandTakesTheCallId()
    {
        var settings = new UpstreamSettings { Provider = UpstreamProvider.OpenAI, ApiKey = "sk-test", Model = "gpt-realtime" };

        var calls = UpstreamRequestBuilder.BuildCalls(settings);
        var sideband = UpstreamRequestBuilder.BuildSideband(settings, "rtc_abc 1");

        Assert.Equal("https://api.openai.com/v1/realtime/calls", calls.Uri.AbsoluteUri);
        Assert.Equal("Bearer sk-test", Assert.Single(calls.Headers).Value);
        Assert.Equal("wss://api.openai.com/v1/realtime?call_id=rtc_abc%201", sideband.Uri.AbsoluteUri);
        Assert.Equal("https://api.openai.com/v1/realtime/client_secrets", UpstreamRequestBuilder.ClientSecretsUri(settings).AbsoluteUri);
    }

    [Theory]
    [InlineData(false, "https://contoso.openai.azure.com/openai/v1/realtime/calls")]
    [InlineData(true, "https://contoso.openai.azure.com/openai/v1/realtime/calls?webrtcfilter=on")]
    public void Calls_OnAzure_CarryTheApiKeyHeader_AndWebRtcFilterWhenAskedFor(bool filter, string expected)
    {
        var settings = new UpstreamSettings
        {
            Provider = UpstreamProvider.AzureOpenAI,
            Endpoint = new Uri("https://contoso.openai.azure.com"),
            ApiKey = "azure-key",
            Model = "dep",
            WebRtcFilter = filter,
        };

        var calls = UpstreamRequestBuilder.BuildCalls(settings);

        Assert.Equal(expected, calls.Uri.AbsoluteUri);
        var header = Assert.Single(calls.Headers);
        Assert.Equal(("api-key", "azure-key"), (header.Key, header.Value));
        Assert.Equal("wss://contoso.openai.azure.com/openai/v1/realtime?call_id=rtc_1", UpstreamRequestBuilder.BuildSideband(settings, "rtc_1").Uri.AbsoluteUri);
        // The ephemeral-key flow mints at the same resource, without the filter (it belongs to /calls).
        Assert.Equal("https://contoso.openai.azure.com/openai/v1/realtime/client_secrets", UpstreamRequestBuilder.ClientSecretsUri(settings).AbsoluteUri);
    }

    [Fact]
    public void WebRtcFilter_IsNotSentToOpenAI()
    {
        var calls = UpstreamRequestBuilder.BuildCalls(new UpstreamSettings { Provider = UpstreamProvider.OpenAI, ApiKey = "k", WebRtcFilter = true });

        Assert.Empty(calls.Uri.Query);
    }

    [Fact]
    public void Calls_OnALocalEndpoint_SwitchWsToHttp_AndKeepThePort()
    {
        var settings = new UpstreamSettings { Provider = UpstreamProvider.Simulator, Endpoint = new Uri("ws://127.0.0.1:9100/v1/realtime") };

        Assert.Equal("http://127.0.0.1:9100/v1/realtime/calls", UpstreamRequestBuilder.BuildCalls(settings).Uri.AbsoluteUri);
        Assert.Equal("ws://127.0.0.1:9100/v1/realtime?call_id=rtc_9", UpstreamRequestBuilder.BuildSideband(settings, "rtc_9").Uri.AbsoluteUri);
    }
}
