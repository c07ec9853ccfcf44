using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Browser;

internal static partial class BrowserExtensions
{
    public static WebApplicationBuilder AddBrowser(this WebApplicationBuilder builder)
    {
        // The environment's default first, so a configured Browser:DemoPage (bound next) wins.
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptionsWithValidateOnStart<BrowserOptions>()
            .Configure(options => options.DemoPage = development)
            .Bind(builder.Configuration.GetSection(BrowserOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserPathsValidator>();
        builder.Services.AddSingleton(services =>
            new ClientTokens(services.GetRequiredService<IOptions<BrowserOptions>>().Value.TokenSecret, services.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication MapBrowser(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<BrowserOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Browser");
        // With the demo page on, its own token endpoint and origin make both of these expected.
        if (options.ApiKeys.Count == 0 && !options.DemoPage)
        {
            LogNoApiKeys(logger);
        }

        if (options.AllowedOrigins.Count == 0 && !options.DemoPage)
        {
            LogNoOrigins(logger);
        }

        app.MapPost(BrowserUrls.ClientSecretsPath, ClientSecretsEndpoint.HandleAsync).DisableAntiforgery().RequireCallRateLimit();
        app.Map(BrowserUrls.RealtimePath, RealtimeEndpoint.HandleAsync).RequireCallRateLimit();
        if (options.DemoPage)
        {
            MapDemoPage(app, logger);
        }

        return app;
    }

    // The page and its token endpoint exist only when enabled: off, "/" is a 404 and nothing mints without a key.
    private static void MapDemoPage(WebApplication app, ILogger logger)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapPost(BrowserUrls.DemoTokenPath, DemoTokenEndpoint.HandleAsync).DisableAntiforgery().RequireCallRateLimit();
        LogDemoPage(logger, BrowserUrls.DemoTokenPath);
    }

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Browser:ApiKeys is empty: /v1/realtime/client_secrets refuses every request, so no client can connect to /v1/realtime")]
    private static partial void LogNoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Warning, Message = "Browser:DemoPage is on: the demo page is served at / and {TokenPath} mints client tokens without an API key; turn it off where others can reach this server")]
    private static partial void LogDemoPage(ILogger logger, string tokenPath);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Browser:AllowedOrigins is empty: browsers are refused on /v1/realtime; SDK clients without an Origin header can still connect")]
    private static partial void LogNoOrigins(ILogger logger);
}
