using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Twilio;

internal static partial class TwilioExtensions
{
    public static WebApplicationBuilder AddTwilio(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptionsWithValidateOnStart<TwilioOptions>()
            .Bind(builder.Configuration.GetSection(TwilioOptions.SectionName))
            .PostConfigure(options =>
            {
                // The conventional variable, honoured when the section does not set the token.
                if (string.IsNullOrEmpty(options.AuthToken))
                {
                    options.AuthToken = builder.Configuration["TWILIO_AUTH_TOKEN"];
                }
            });
        builder.Services.AddSingleton<IValidateOptions<TwilioOptions>, TwilioOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<TwilioOptions>, TwilioSecurityValidator>();
        builder.Services.TryAddSingleton<ISingleUseNonceStore, InMemoryNonceStore>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<TwilioOptions>>().Value;
            return new CallTokens(options.CallTokenSecret ?? options.AuthToken, TimeSpan.FromSeconds(options.CallTokenLifetimeSeconds),
                services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ISingleUseNonceStore>());
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    public static WebApplication MapTwilio(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TwilioOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        if (string.IsNullOrEmpty(options.AuthToken))
        {
            // Only reachable in Development: TwilioSecurityValidator stops the boot elsewhere.
            LogValidationOff(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Twilio"));
        }

        app.MapMethods(TwilioUrls.VoicePath, [HttpMethods.Post, HttpMethods.Get], TwilioWebhook.HandleAsync)
            .DisableAntiforgery()
            .RequireCallRateLimit();
        app.Map(TwilioUrls.MediaPath, TwilioMediaEndpoint.HandleAsync).RequireCallRateLimit();
        return app;
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "!!! Twilio:AuthToken is not set: Twilio signature validation is OFF (Development only). Never expose this server publicly like this.")]
    private static partial void LogValidationOff(ILogger logger);
}
