using Microsoft.Extensions.Configuration;
using VoiceBridge.Realtime.Upstream;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Tests.Upstream;

public sealed class UpstreamOptionsTests
{
    private static IConfiguration Variables(string? openAIKey = null, string? azureKey = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [UpstreamOptions.OpenAIKeyVariable] = openAIKey,
            [UpstreamOptions.AzureOpenAIKeyVariable] = azureKey,
        }).Build();

    [Theory]
    [InlineData(null, null, null, null, UpstreamProvider.Simulator, null)]
    [InlineData(null, "sk-configured", "sk-env", "az-env", UpstreamProvider.OpenAI, "sk-configured")]
    [InlineData(null, null, "sk-env", "az-env", UpstreamProvider.OpenAI, "sk-env")]
    [InlineData(null, null, null, "az-env", UpstreamProvider.AzureOpenAI, "az-env")]
    [InlineData(UpstreamProvider.AzureOpenAI, null, "sk-env", "az-env", UpstreamProvider.AzureOpenAI, "az-env")]
    [InlineData(UpstreamProvider.Simulator, null, "sk-env", null, UpstreamProvider.Simulator, null)]
    public void Fallbacks_ResolveProviderAndKey(
        UpstreamProvider? configured, string? apiKey, string? openAIKey, string? azureKey, UpstreamProvider expected, string? expectedKey)
    {
        var options = new UpstreamOptions { Provider = configured, ApiKey = apiKey };

        options.ApplyFallbacks(Variables(openAIKey, azureKey));

        Assert.Equal(expected, options.Provider);
        Assert.Equal(expectedKey, options.ApiKey);
    }

    [Fact]
    public void ToSettings_CarriesTheConnectionValues()
    {
        var options = new UpstreamOptions
        {
            Provider = UpstreamProvider.AzureOpenAI,
            Endpoint = "https://contoso.openai.azure.com",
            ApiKey = "az",
            Model = "deployment",
            ConnectTimeout = TimeSpan.FromSeconds(3),
            KeepAliveInterval = TimeSpan.FromSeconds(4),
            KeepAliveTimeout = TimeSpan.FromSeconds(5),
            CloseTimeout = TimeSpan.FromSeconds(6),
            SendQueueCapacity = 7,
        };

        var settings = options.ToSettings();

        Assert.Equal(
            new UpstreamSettings
            {
                Provider = UpstreamProvider.AzureOpenAI,
                Endpoint = new Uri("https://contoso.openai.azure.com"),
                ApiKey = "az",
                Model = "deployment",
                ConnectTimeout = TimeSpan.FromSeconds(3),
                KeepAliveInterval = TimeSpan.FromSeconds(4),
                KeepAliveTimeout = TimeSpan.FromSeconds(5),
                CloseTimeout = TimeSpan.FromSeconds(6),
                SendQueueCapacity = 7,
            },
            settings);
    }
}
