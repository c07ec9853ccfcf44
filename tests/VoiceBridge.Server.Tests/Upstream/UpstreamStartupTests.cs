using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Tests.Upstream;

/// <summary>
/// Boots the real server with configuration injected through the host (never the process environment, which
/// parallel tests share); the conventional OPENAI_API_KEY / AZURE_OPENAI_API_KEY are configuration keys too.
/// </summary>
public sealed class UpstreamStartupTests
{
    private static WebApplicationFactory<Program> Boot(params (string Key, string Value)[] settings)
    {
        return new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            // Blank the conventional variables first so a developer's real key never leaks into a test.
            host.UseSetting(UpstreamOptions.OpenAIKeyVariable, string.Empty);
            host.UseSetting(UpstreamOptions.AzureOpenAIKeyVariable, string.Empty);
            host.UseSetting("Upstream:ApiKey", string.Empty);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });
    }

    /// <summary>
    /// A failing boot goes through the same registration and start as Program, on a WebApplication of its own:
    /// WebApplicationFactory reports a failed start racily (sometimes an ObjectDisposedException from its
    /// deferred host instead of the startup error).
    /// </summary>
    private static async Task<Exception> BootFailsAsync(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        try
        {
            builder.AddUpstream();
            await using var app = builder.Build();
            await app.StartAsync(TestContext.Current.CancellationToken);
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            return ex;
        }

        throw new Xunit.Sdk.XunitException("the boot was expected to fail");
    }

    private static string AllMessages(Exception exception)
    {
        var messages = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(AllMessages));
            }
        }

        return string.Join(" | ", messages);
    }

    [Fact]
    public void NoKey_UsesTheSimulator()
    {
        using var factory = Boot();

        var options = factory.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;

        Assert.Equal(UpstreamProvider.Simulator, options.Provider);
        Assert.Equal("gpt-realtime", options.Model);
        Assert.Equal("marin", options.Voice);
        Assert.Equal(UpstreamAudioFormat.Pcm24k, options.AudioFormat);
        Assert.IsNotType<WebSocketRealtimeConnector>(factory.Services.GetService<IRealtimeConnector>());
    }

    [Fact]
    public void OpenAIKeyVariable_SelectsOpenAI_WithThatKey_AndAWebSocketConnector()
    {
        using var factory = Boot((UpstreamOptions.OpenAIKeyVariable, "sk-from-env"));

        var options = factory.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;

        Assert.Equal(UpstreamProvider.OpenAI, options.Provider);
        Assert.Equal("sk-from-env", options.ApiKey);
        Assert.IsType<WebSocketRealtimeConnector>(factory.Services.GetService<IRealtimeConnector>());
    }

    [Fact]
    public async Task OnlyAzureKeyVariable_SelectsAzure_AndThenRequiresTheEndpoint()
    {
        var failure = await BootFailsAsync((UpstreamOptions.AzureOpenAIKeyVariable, "azure-from-env"));

        Assert.Contains("Upstream:Endpoint", AllMessages(failure), StringComparison.Ordinal);
    }

    [Fact]
    public void AzureWithEndpoint_TakesTheAzureKeyVariable()
    {
        using var factory = Boot(
            (UpstreamOptions.AzureOpenAIKeyVariable, "azure-from-env"),
            ("Upstream:Endpoint", "https://contoso.openai.azure.com"),
            ("Upstream:Model", "my-deployment"));

        var options = factory.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;

        Assert.Equal(UpstreamProvider.AzureOpenAI, options.Provider);
        Assert.Equal("azure-from-env", options.ApiKey);
        Assert.IsType<WebSocketRealtimeConnector>(factory.Services.GetService<IRealtimeConnector>());
    }

    [Fact]
    public void ConfiguredKey_WinsOverTheVariable()
    {
        using var factory = Boot((UpstreamOptions.OpenAIKeyVariable, "sk-from-env"), ("Upstream:ApiKey", "sk-configured"));

        Assert.Equal("sk-configured", factory.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value.ApiKey);
    }

    [Fact]
    public void SimulatorWithEndpoint_ConnectsOverAWebSocket()
    {
        using var factory = Boot(("Upstream:Provider", "Simulator"), ("Upstream:Endpoint", "ws://127.0.0.1:8091/v1/realtime"));

        Assert.IsType<WebSocketRealtimeConnector>(factory.Services.GetService<IRealtimeConnector>());
    }

    [Theory]
    [InlineData("Upstream:Provider", "AzureOpenAI", "Upstream:Endpoint")]
    [InlineData("Upstream:Provider", "OpenAI", "Upstream:ApiKey")]
    [InlineData("Upstream:Provider", "Gemini", "Upstream:Provider")]
    [InlineData("Upstream:AudioFormat", "Mp3", "Upstream:AudioFormat")]
    [InlineData("Upstream:AudioFormat", "7", "Upstream:AudioFormat")]
    [InlineData("Upstream:TurnDetection:Threshold", "2", "Upstream:TurnDetection:Threshold")]
    [InlineData("Upstream:TurnDetection:Type", "push_to_talk", "Upstream:TurnDetection:Type")]
    [InlineData("Upstream:TurnDetection:Eagerness", "eager", "Upstream:TurnDetection:Eagerness")]
    [InlineData("Upstream:Endpoint", "ftp://example.com/realtime", "Upstream:Endpoint")]
    [InlineData("Upstream:Endpoint", "not a url", "Upstream:Endpoint")]
    [InlineData("Upstream:SendQueueCapacity", "0", "Upstream:SendQueueCapacity")]
    [InlineData("Upstream:ConnectTimeout", "00:00:00", "Upstream:ConnectTimeout")]
    [InlineData("Upstream:Model", "", "Upstream:Model")]
    public async Task BadValue_StopsTheBoot_NamingTheKey(string key, string value, string named)
    {
        var failure = await BootFailsAsync((key, value), ("Upstream:ApiKey", key == "Upstream:Provider" && value == "OpenAI" ? string.Empty : "sk-test"));

        Assert.True(AllMessages(failure).Contains(named, StringComparison.Ordinal), failure.ToString());
    }

    [Fact]
    public void Startup_LogsProviderModelAndFormat_NeverTheKey()
    {
        var lines = new ConcurrentQueue<string>();
        using var factory = Boot((UpstreamOptions.OpenAIKeyVariable, "sk-never-logged"), ("Upstream:AudioFormat", "Pcmu"))
            .WithWebHostBuilder(host => host.ConfigureLogging(logging => logging.AddProvider(new QueueLoggerProvider(lines))));

        _ = factory.Services;

        var line = Assert.Single(lines, l => l.StartsWith("Upstream: ", StringComparison.Ordinal));
        Assert.Equal("Upstream: OpenAI at wss://api.openai.com/v1/realtime, model gpt-realtime, audio Pcmu, voice marin", line);
        Assert.DoesNotContain(lines, l => l.Contains("sk-never-logged", StringComparison.Ordinal));
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            // Serilog is the logging provider and hands events on to registered providers rendered its way: string
            // values in double quotes. The quotes are not what this test is about.
            lines.Enqueue(formatter(state, exception).Replace("\"", string.Empty, StringComparison.Ordinal));
    }
}
