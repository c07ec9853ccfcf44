using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Browser;

internal static partial class BrowserExtensions
{
    public static WebApplicationBuilder AddBrowser(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptionsWithValidateOnStart<BrowserOptions>()
            .Bind(builder.Configuration.GetSection(BrowserOptions.SectionName));
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<BrowserOptions>, BrowserPathsValidator>();
        builder.Services.AddSingleton<ClientTokens>();
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
        if (options.ApiKeys.Count == 0)
        {
            LogNoApiKeys(logger);
        }

        if (options.AllowedOrigins.Count == 0)
        {
            LogNoOrigins(logger);
        }

        app.MapPost(BrowserUrls.ClientSecretsPath, ClientSecretsEndpoint.HandleAsync).DisableAntiforgery();
        app.Map(BrowserUrls.RealtimePath, RealtimeEndpoint.HandleAsync);
        return app;
    }

    [LoggerMessage(EventId = 1330, Level = LogLevel.Information, Message = "Browser:ApiKeys is empty: /v1/realtime/client_secrets refuses every request, so no client can connect to /v1/realtime")]
    private static partial void LogNoApiKeys(ILogger logger);

    [LoggerMessage(EventId = 1331, Level = LogLevel.Information, Message = "Browser:AllowedOrigins is empty: browsers are refused on /v1/realtime; SDK clients without an Origin header can still connect")]
    private static partial void LogNoOrigins(ILogger logger);
}
