using VoiceBridge.Server.Sessions;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The admin API under <c>/calls</c>, every route behind <see cref="AdminKeyFilter"/>. Features add their routes to the
/// group here (audit read-back, call control), one line each.
/// </summary>
internal static class CallsExtensions
{
    public const string Prefix = "/calls";

    public static WebApplicationBuilder AddCalls(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AdminKeyFilter>();
        // Results.Problem serialises ProblemDetails through the HTTP JSON options; with reflection off (the app's
        // setting) it needs source-generated metadata, or every 4xx of the admin API would be a 500.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Add(CallsJsonContext.Default));
        builder.Services.AddTwilioRest();
        builder.Services.AddSingleton<OutboundCalls>();
        builder.Services.AddSingleton<CallControlServices>();
        return builder;
    }

    public static WebApplication MapCalls(this WebApplication app)
    {
        var calls = app.MapGroup(Prefix).AddEndpointFilter<AdminKeyFilter>().DisableAntiforgery();
        calls.MapGet("/", ListLiveCalls);
        calls.MapCallAudit();
        calls.MapCallControl();
        return app;
    }

    private static IResult ListLiveCalls(CallRegistry registry)
    {
        var live = new List<LiveCallSummary>();
        foreach (var (call, started) in registry.Snapshot())
        {
            // A phone call has no id until Twilio's start message is accepted; it is listed once it does.
            if (call.CallId is { } id)
            {
                live.Add(new LiveCallSummary(id, call.Transport, started, call.Caller, call.State));
            }
        }

        return Results.Json<IReadOnlyList<LiveCallSummary>>(live, CallsJsonContext.Responses.IReadOnlyListLiveCallSummary);
    }
}
