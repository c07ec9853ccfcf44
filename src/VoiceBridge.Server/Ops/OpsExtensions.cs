using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Cluster;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// The live operations dashboard: the page at <c>/ops</c> (static files from <c>wwwroot/ops</c>, no build step), its
/// login, its SignalR hub at <c>/ops/hub</c>, and the feed that turns every call's events into coalesced updates
/// (docs/operations-dashboard.md).
/// </summary>
internal static partial class OpsExtensions
{
    public const string Prefix = "/ops";
    public const string HubPath = Prefix + "/hub";
    private const string PageFolder = "ops";

    // The page loads only its own files and talks only to its own origin; nothing frames it.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplicationBuilder AddOps(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<OpsOptions>().BindConfiguration(OpsOptions.SectionName);
        services.AddSingleton<IValidateOptions<OpsOptions>, OpsOptionsValidator>();
        if (!builder.Configuration.GetValue(OpsOptions.SectionName + ":" + nameof(OpsOptions.Enabled), true))
        {
            return builder;
        }

        services.AddSignalR(hub =>
        {
            hub.EnableDetailedErrors = false;
            // An operator's instructions may be 16,000 characters; JSON may escape each into six.
            hub.MaximumReceiveMessageSize = 128 * 1024;
            hub.KeepAliveInterval = TimeSpan.FromSeconds(15);
        }).AddJsonProtocol(json =>
        {
            // The host runs with reflection-based JSON off: the hub's messages are source-generated.
            json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, OpsJsonContext.Default);
            json.PayloadSerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        })
            // With Cluster:Redis, hub messages go through Redis: a viewer on any instance sees every instance's calls
            // (each instance's feed sends its keyframes and updates to the shared groups). Alone, nothing changes.
            .AddClusterBackplane(builder.Configuration);
        services.AddSingleton<OpsSessions>();
        services.AddSingleton<OpsViewers>();
        services.AddSingleton<OpsFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<OpsFeed>());
        services.AddSingleton<ICallObserverFactory>(provider => provider.GetRequiredService<OpsFeed>());

        // The dashboard's sockets come on top of the calls' share of Kestrel's caps (Session:Connections), so a full
        // house of viewers never takes a call's place, nor the other way round.
        services.AddOptions<KestrelServerOptions>().PostConfigure<IOptions<OpsOptions>>((kestrel, ops) =>
        {
            var viewers = ops.Value.MaxViewers;
            kestrel.Limits.MaxConcurrentUpgradedConnections += viewers;
            kestrel.Limits.MaxConcurrentConnections += viewers;
        });
        return builder;
    }

    /// <summary>The hub's gate and the page's files (before any other static files, so the page's headers apply).</summary>
    public static WebApplication UseOps(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<OpsOptions>>().Value.Enabled)
        {
            return app;
        }

        app.UseMiddleware<OpsGate>();
        if (PageRoot(app) is { } root)
        {
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(root),
                RequestPath = Prefix,
                OnPrepareResponse = file => PageHeaders(file.Context.Response),
            });
        }

        return app;
    }

    public static WebApplication MapOps(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<OpsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        // The page needs its files (wwwroot/ops, published with the server); the hub and the login do not. One route:
        // routing matches /ops and /ops/ alike.
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Ops");
        if (PageRoot(app) is { } root)
        {
            var index = Path.Combine(root, "index.html");
            app.MapGet(Prefix, (HttpContext context) => Page(context, index));
        }
        else
        {
            LogNoPage(logger, app.Environment.WebRootPath ?? Path.Combine(app.Environment.ContentRootPath, "wwwroot"));
        }

        var ops = app.MapGroup(Prefix).DisableAntiforgery();
        ops.MapOpsLogin();

        // Read-back for ended calls, with the session cookie instead of the admin key: the admin API's own handlers.
        ops.MapGet("/calls/{id}/transcript", (string id, IAuditReader reader, IOptions<AuditOptions> audit, CancellationToken cancellationToken) =>
            CallAuditEndpoints.GetTranscriptAsync(id, unheard: false, reader, audit, cancellationToken)).AddEndpointFilter(new OpsSessionFilter(OpsRole.Viewer));
        ops.MapGet("/calls/{id}/audit", (string id, IAuditReader reader, CancellationToken cancellationToken) =>
            CallAuditEndpoints.GetAuditAsync(id, reader, cancellationToken)).AddEndpointFilter(new OpsSessionFilter(OpsRole.Operator));
        ops.MapGet("/calls/{id}/recording", (string id, IAuditReader reader, IRecordingStore recordings, IOptions<AuditOptions> audit, CancellationToken cancellationToken) =>
            CallAuditEndpoints.GetRecordingAsync(id, reader, recordings, audit, cancellationToken)).AddEndpointFilter(new OpsSessionFilter(OpsRole.Operator));

        app.MapHub<OpsHub>(HubPath, hub => hub.Transports = HttpTransportType.WebSockets).WithMetadata(OpsHubEndpoint.Instance);

        var keys = app.Services.GetRequiredService<IOptions<AuditOptions>>().Value;
        var operators = keys.AdminKeys.Count(key => !string.IsNullOrEmpty(key));
        var viewers = keys.ViewerKeys.Count(key => !string.IsNullOrEmpty(key));
        LogDashboard(logger, Prefix, operators, viewers);
        return app;
    }

    private static string? PageRoot(WebApplication app) =>
        app.Environment.WebRootPath is { } webRoot && Directory.Exists(Path.Combine(webRoot, PageFolder)) ? Path.Combine(webRoot, PageFolder) : null;

    private static IResult Page(HttpContext context, string index)
    {
        PageHeaders(context.Response);
        return Results.File(index, "text/html; charset=utf-8");
    }

    private static void PageHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load (ETag): a new release's page is never mixed with an old script.
        headers.CacheControl = "no-cache";
    }

    [LoggerMessage(EventId = 1741, Level = LogLevel.Warning, Message = "The operations dashboard's page is not under {WebRoot}/ops (the server runs from another content root?): /ops has no page; its hub and login still answer")]
    private static partial void LogNoPage(ILogger logger, string webRoot);

    [LoggerMessage(EventId = 1740, Level = LogLevel.Information, Message = "Operations dashboard at {Path}: {Operators} operator key(s), {Viewers} viewer key(s)")]
    private static partial void LogDashboard(ILogger logger, string path, int operators, int viewers);
}
