using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Core;

internal static class CoreExtensions
{
    /// <summary>The call core: the <c>Session</c> options, the live-call registry and directory, and the runner every transport hands its leg to.</summary>
    public static WebApplicationBuilder AddCallCore(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallRegistry>();
        // This instance's calls; the cluster (Cluster/) replaces it with the directory every instance shares.
        builder.Services.TryAddSingleton<ICallDirectory, LocalCallDirectory>();
        builder.Services.AddOptionsWithValidateOnStart<SessionOptions>().BindConfiguration(SessionOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>();
        builder.Services.AddSingleton<CallSessions>();
        return builder;
    }

    public static WebApplication UseCallCore(this WebApplication app)
    {
        // Server pings keep NAT and proxy state alive through long silences in a call.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        return app;
    }
}
