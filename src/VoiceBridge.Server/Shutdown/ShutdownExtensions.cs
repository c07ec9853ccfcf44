using Microsoft.Extensions.Options;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Shutdown;

internal static class ShutdownExtensions
{
    /// <summary>The <c>Shutdown</c> options, the SIGTERM drain and its readiness check.</summary>
    public static WebApplicationBuilder AddShutdown(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName);
        services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        services.AddHostedService<CallDrain>();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
        {
            // The host cancels every stopping step after ShutdownTimeout (30 s by default); it must outlast the drain,
            // the closing handshakes and the audit writer's final flush, which come after.
            var needed = TimeSpan.FromSeconds(shutdown.Value.DrainSeconds + shutdown.Value.CloseSeconds + 5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        services.AddHealthChecks().AddCheck<DrainingHealthCheck>("draining", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }
}
