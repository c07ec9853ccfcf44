using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Sessions;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Guards the admin API: the request must present one of <c>Audit:AdminKeys</c> as a bearer token, else 401.
/// Bridge API keys and client tokens are not admin keys: a browser token must never read another call's transcript.
/// </summary>
internal sealed partial class AdminKeyFilter(IOptions<AuditOptions> options, ILogger<AdminKeyFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        if (!KeyList.Contains(options.Value.AdminKeys, KeyList.BearerToken(request)))
        {
            LogRefused(logger, request.Method, request.Path);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An admin key is required.");
        }

        return await next(context);
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Admin API request {Method} {Path} refused: no valid admin key")]
    private static partial void LogRefused(ILogger logger, string method, PathString path);
}
