using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Server.Upstream;

internal static class UpstreamExtensions
{
    /// <summary>
    /// The <c>Upstream</c> options (validated at startup) and the <see cref="IRealtimeConnector"/> for the
    /// configured provider.
    /// </summary>
    public static WebApplicationBuilder AddUpstream(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<UpstreamOptions>()
            .BindConfiguration(UpstreamOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) => options.ApplyFallbacks(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>());
        services.AddHostedService<UpstreamStartupReport>();

        // Which connector is registered depends on configuration, so it is read here once with the same rules
        // the options use; a value that cannot be bound stops the boot here with the key in the message.
        var configured = new UpstreamOptions();
        builder.Configuration.GetSection(UpstreamOptions.SectionName).Bind(configured);
        configured.ApplyFallbacks(builder.Configuration);
        if (configured.UsesWebSocket)
        {
            services.AddSingleton<IRealtimeConnector>(provider => new WebSocketRealtimeConnector(
                provider.GetRequiredService<IOptions<UpstreamOptions>>().Value.ToSettings(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<WebSocketRealtimeConnector>>()));
        }

        else
        {
            // No key and no endpoint: the embedded simulator, in-process and without sockets, so `dotnet run`
            // gives a working bridge offline.
            services.AddSingleton<IRealtimeConnector>(provider => new SimulatorConnector(
                new SimulatorOptions { Model = provider.GetRequiredService<IOptions<UpstreamOptions>>().Value.Model },
                provider.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton(provider => provider.GetRequiredService<IOptions<UpstreamOptions>>().Value.ToSessionPolicy() with
        {
            // Server-side tools (Tools/) are offered to the model in every phone call's session.update.
            Tools = provider.GetService<Tools.ToolCatalog>()?.Definitions ?? [],
        });
        return builder;
    }
}
