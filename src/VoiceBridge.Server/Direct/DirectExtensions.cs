using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Direct;

internal static partial class DirectExtensions
{
    /// <summary>Where the in-process simulator's model-side page and its sockets are served (<see cref="DirectOptions.SimulatorPeer"/>).</summary>
    public const string SimulatorPeerPrefix = "/simulator";

    private const string HttpClientName = "VoiceBridge.RealtimeCalls";

    public static WebApplicationBuilder AddDirect(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var development = builder.Environment.IsDevelopment();
        services.AddOptionsWithValidateOnStart<DirectOptions>()
            .Configure(options => options.SimulatorPeer = development)
            .Bind(builder.Configuration.GetSection(DirectOptions.SectionName))
            .PostConfigure<IConfiguration>((options, configuration) =>
            {
                // One list for both kinds of browser client: what a WebSocket client may change, a WebRTC one may too.
                if (configuration["Browser:ClientMayChange"] is { } mayChange)
                {
                    options.ClientMayChange = mayChange;
                }
            });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DirectOptions>, DirectOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IReplayGuard>(provider => new InMemoryReplayGuard(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new StandardWebhooks(
            provider.GetRequiredService<IOptions<UpstreamOptions>>().Value.WebhookSecret,
            provider.GetRequiredService<IReplayGuard>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddHttpClient(HttpClientName);

        // The same upstream as the relayed calls': its calls resource over HTTP, or the in-process simulator's.
        services.AddSingleton(provider => new SimulatorCalls(
            new SimulatorOptions { Model = provider.GetRequiredService<IOptions<UpstreamOptions>>().Value.Model },
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRealtimeCalls>(provider =>
        {
            var upstream = provider.GetRequiredService<IOptions<UpstreamOptions>>().Value;
            return upstream.UsesWebSocket
                ? new HttpRealtimeCalls(
                    provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                    upstream.ToSettings(),
                    provider.GetRequiredService<TimeProvider>(),
                    provider.GetRequiredService<ILoggerFactory>())
                : new SimulatorRealtimeCalls(provider.GetRequiredService<SimulatorCalls>());
        });
        services.AddSingleton<DirectCalls>();
        return builder;
    }

    public static WebApplication MapDirect(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DirectOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Direct");
        app.MapPost(WebRtcOfferEndpoint.Path, WebRtcOfferEndpoint.HandleAsync).DisableAntiforgery().RequireCallRateLimit();
        app.MapPost(SipWebhookEndpoint.Path, SipWebhookEndpoint.HandleAsync).DisableAntiforgery();
        if (!app.Services.GetRequiredService<StandardWebhooks>().IsConfigured)
        {
            LogNoWebhookSecret(logger, SipWebhookEndpoint.Path);
        }

        if (options.SimulatorPeer && app.Services.GetRequiredService<IRealtimeCalls>() is SimulatorRealtimeCalls simulated)
        {
            MapSimulatorPeer(app, simulated.Calls);
            LogSimulatorPeer(logger, SimulatorPeerPrefix + "/peer.html");
        }

        return app;
    }

    // The in-process simulator has no WebRTC stack: a browser page plays the model's side (the same page and sockets as
    // `voicebridge simulator` serves under /sim). Development only: the page and its sockets take no key.
    private static void MapSimulatorPeer(WebApplication app, SimulatorCalls calls)
    {
        app.MapGet(SimulatorPeerPrefix + "/peer.html", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.Body.WriteAsync(SimulatorPeerPage.Html).AsTask();
        });
        app.Map(SimulatorPeerPrefix + "/peer", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await SimulatorMediaPeer.RunAsync(socket, calls, context.RequestAborted);
        });
        app.Map(SimulatorPeerPrefix + "/calls/{id}/media", async context =>
        {
            if (calls.Find((string)context.Request.RouteValues["id"]!) is not { State: not SimulatorCallState.Ended } call || !context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await SimulatorMediaSocket.RunAsync(socket, call, context.RequestAborted);
        });
    }

    [LoggerMessage(EventId = 1759, Level = LogLevel.Information, Message = "No Upstream:WebhookSecret (or OPENAI_WEBHOOK_SECRET): {Path} refuses every webhook, so no SIP call can be answered")]
    private static partial void LogNoWebhookSecret(ILogger logger, string path);

    [LoggerMessage(EventId = 1760, Level = LogLevel.Warning, Message = "Direct:SimulatorPeer is on: the in-process simulator's model-side page is served at {Path} without a key; turn it off where others can reach this server")]
    private static partial void LogSimulatorPeer(ILogger logger, string path);
}
