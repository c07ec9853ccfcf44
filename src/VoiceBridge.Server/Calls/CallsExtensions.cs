using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The admin API under <c>/calls</c>, every route behind <see cref="AdminKeyFilter"/>. Features add their routes to the
/// group here (audit read-back, call control), one line each.
/// </summary>
internal static partial class CallsExtensions
{
    public const string Prefix = "/calls";

    public static WebApplicationBuilder AddCalls(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AdminKeyFilter>();
        // Audit__AdminKeys=key1,key2 (one variable) as well as Audit__AdminKeys__0: the binder ignores a plain value
        // given for a list, which used to leave the admin API keyless without a word. The same for viewer keys.
        var configuration = builder.Configuration;
        builder.Services.AddOptions<AuditOptions>().PostConfigure(options =>
        {
            AddListed(configuration, nameof(AuditOptions.AdminKeys), options.AdminKeys);
            AddListed(configuration, nameof(AuditOptions.ViewerKeys), options.ViewerKeys);
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditOptions>, AdminKeysValidator>());
        // Results.Problem serialises ProblemDetails through the HTTP JSON options; with reflection off (the app's
        // setting) it needs source-generated metadata, or every 4xx of the admin API would be a 500.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(CallsJsonContext.Default));
        builder.Services.AddTwilioRest();
        // In this instance's memory; the cluster (Cluster/) replaces these seams with shared ones.
        builder.Services.TryAddSingleton<IOutboundInstructions, OutboundCalls>();
        builder.Services.TryAddSingleton<ICallControlRouter, LocalControlRouter>();
        builder.Services.AddSingleton<CallControlExecutor>();
        builder.Services.AddSingleton<CallControlServices>();
        builder.Services.AddSingleton<ICallFeatureFactory>(services => services.GetRequiredService<CallControlServices>());
        return builder;
    }

    public static WebApplication MapCalls(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<AuditOptions>>().Value.AdminKeys.Any(key => !string.IsNullOrEmpty(key)))
        {
            LogNoAdminKeys(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VoiceBridge.Calls"));
        }

        var calls = app.MapGroup(Prefix).AddEndpointFilter<AdminKeyFilter>().DisableAntiforgery();
        calls.MapGet("/", ListLiveCallsAsync);
        calls.MapCallAudit();
        calls.MapCallControl();
        return app;
    }

    // Every instance's calls (the directory); the instance is named only when there are several.
    private static async Task<IResult> ListLiveCallsAsync(ICallDirectory directory, CallRegistry registry, CancellationToken cancellationToken)
    {
        if (await directory.ListAsync(cancellationToken) is not { } entries)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The call directory (Cluster:Redis) cannot be read now.");
        }

        var several = directory.InstanceId != LocalCallDirectory.LocalInstance;
        var live = new List<LiveCallSummary>(entries.Count);
        foreach (var entry in entries)
        {
            // A call of this instance shows its state now; another instance's, as its owner last wrote it.
            var state = entry.Instance == directory.InstanceId && registry.Find(entry.CallId) is { } local ? local.State : entry.State;
            live.Add(new LiveCallSummary(entry.CallId, entry.Transport, entry.Started, entry.Caller, state, several ? entry.Instance : null));
        }

        return Results.Json<IReadOnlyList<LiveCallSummary>>(live, CallsJsonContext.Responses.IReadOnlyListLiveCallSummary);
    }

    private static void AddListed(ConfigurationManager configuration, string setting, IList<string> keys)
    {
        var listed = configuration[AuditOptions.SectionName + ":" + setting];
        foreach (var key in listed?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
        {
            keys.Add(key);
        }
    }

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Audit:AdminKeys is empty: the admin API (/calls) refuses every request; set Audit__AdminKeys (comma-separated, 32+ characters each) to use it")]
    private static partial void LogNoAdminKeys(ILogger logger);
}
