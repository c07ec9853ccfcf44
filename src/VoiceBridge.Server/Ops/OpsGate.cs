using Microsoft.Extensions.Options;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// Guards the dashboard's hub before SignalR sees the request: a browser from another origin gets 403 (a page elsewhere
/// cannot ride the operator's cookie: the cookie is SameSite=Strict, and the Origin is checked too), no valid session
/// cookie gets 401, past <c>Ops:MaxViewers</c> connections 503. A session that passes becomes the connection's user.
/// </summary>
internal sealed partial class OpsGate(RequestDelegate next, OpsSessions sessions, OpsViewers viewers, IOptions<OpsOptions> options, ILogger<OpsGate> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetEndpoint()?.Metadata.GetMetadata<OpsHubEndpoint>() is null ? next(context) : GuardAsync(context);
    }

    private Task GuardAsync(HttpContext context)
    {
        var request = context.Request;
        if (!SameOrigin.IsOwnPageOrNone(request))
        {
            LogRefused(logger, request.Path, "foreign origin", request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        if (sessions.Read(request) is not { } session)
        {
            LogRefused(logger, request.Path, "no valid session", request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        if (viewers.Count >= options.Value.MaxViewers)
        {
            LogRefused(logger, request.Path, "Ops:MaxViewers reached", request.Headers.Origin.ToString());
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        }

        context.User = session.ToPrincipal();
        return next(context);
    }

    [LoggerMessage(EventId = 1710, Level = LogLevel.Warning, Message = "Dashboard connection to {Path} refused: {Reason} (origin '{Origin}')")]
    private static partial void LogRefused(ILogger logger, PathString path, string reason, string origin);
}
