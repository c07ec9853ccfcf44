using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Browser;

internal static partial class BrowserExtensions
{
    /// <summary>ASP.NET Core's host filtering list (semicolon-separated), read by the web host's defaults.</summary>
    private const string AllowedHostsKey = "AllowedHosts";

    public static WebApplicationBuilder AddBrowser(this WebApplicationBuilder builder)
    {
        // The environment's default first, so a configured Browser:DemoPage (bound next) wins.
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddOptionsWithValidateOnStart<BrowserOptions>()
            .Configure(options => options.DemoPage = development)
            .Bind(builder.Configuration.GetSection(BrowserOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserPathsValidator>();
        builder.Services.TryAddSingleton<ISingleUseNonceStore, InMemoryNonceStore>();
        builder.Services.AddSingleton(services => new ClientTokens(
            services.GetRequiredService<IOptions<BrowserOptions>>().Value.TokenSecret, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ISingleUseNonceStore>()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SameOrigin>();
        // DNS rebinding: a page on the attacker's domain, resolved to 127.0.0.1, would reach the demo page's token
        // endpoint as a same-origin page. While the demo page is on and AllowedHosts is not configured, ASP.NET Core's
        // host filtering answers any Host but a loopback name with 400. (Unset, AllowedHosts means every host.)
        builder.Services.AddOptions<HostFilteringOptions>().Configure<IOptions<BrowserOptions>, IConfiguration>((hosts, browser, configuration) =>
        {
            if (browser.Value is { Enabled: true, DemoPage: true } && string.IsNullOrWhiteSpace(configuration[AllowedHostsKey]) && hosts.AllowedHosts.Count == 0)
            {
                hosts.AllowedHosts = [.. SameOrigin.LoopbackHosts];
            }
        });
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
        if (string.IsNullOrWhiteSpace(app.Configuration[AllowedHostsKey]))
        {
            var hosts = string.Join(", ", SameOrigin.LoopbackHosts);
            LogLoopbackHostsOnly(logger, hosts);
        }
    }

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Browser:ApiKeys is empty: /v1/realtime/client_secrets refuses every request, so no client can connect to /v1/realtime")]
    private static partial void LogNoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 1332, Level = LogLevel.Warning, Message = "Browser:DemoPage is on: the demo page is served at / and {TokenPath} mints client tokens without an API key; turn it off where others can reach this server")]
    private static partial void LogDemoPage(ILogger logger, string tokenPath);

    [LoggerMessage(EventId = 1333, Level = LogLevel.Information, Message = "Browser:DemoPage is on and AllowedHosts is not set: only requests for {Hosts} are answered (others get 400); list the names you use in AllowedHosts (semicolon-separated) to reach it by another name")]
    private static partial void LogLoopbackHostsOnly(ILogger logger, string hosts);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Browser:AllowedOrigins is empty: browsers are refused on /v1/realtime; SDK clients without an Origin header can still connect")]
    private static partial void LogNoOrigins(ILogger logger);
}
