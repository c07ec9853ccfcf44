using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Browser;

internal static class BrowserExtensions
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
        if (!app.Services.GetRequiredService<IOptions<BrowserOptions>>().Value.Enabled)
        {
            return app;
        }

        app.MapPost(BrowserUrls.ClientSecretsPath, ClientSecretsEndpoint.HandleAsync).DisableAntiforgery();
        app.Map(BrowserUrls.RealtimePath, RealtimeEndpoint.HandleAsync);
        return app;
    }
}
