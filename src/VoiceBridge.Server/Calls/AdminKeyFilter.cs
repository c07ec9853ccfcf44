using System.Globalization;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Guards the admin API: the request must present one of <c>Audit:AdminKeys</c> as a bearer token, else 401.
/// Bridge API keys and client tokens are not admin keys: a browser token must never read another call's transcript.
/// Wrong keys are throttled per IP (<see cref="AdminKeyThrottle"/>): 429 with Retry-After once an IP has used its budget.
/// </summary>
internal sealed partial class AdminKeyFilter(IOptions<AuditOptions> options, AdminKeyThrottle throttle, ILogger<AdminKeyFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var request = http.Request;
        var presented = KeyList.BearerToken(request);
        // A key sent without "Bearer " (or in another scheme) is a key that does not work: said as such, counted as a
        // wrong key, and the refusal names the form that works.
        var notBearer = presented is null && request.Headers.Authorization.ToString().Trim().Length > 0;
        if (string.IsNullOrEmpty(presented) && !notBearer)
        {
            LogRefused(logger, request.Method, request.Path, "no admin key");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An admin key is required.");
        }

        var address = http.Connection.RemoteIpAddress;
        if (throttle.TryBegin(address) is { } wait)
        {
            LogThrottled(logger, request.Method, request.Path);
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong admin keys from this address; retry later.");
        }

        var valid = !notBearer && KeyList.Contains(options.Value.AdminKeys, presented);
        throttle.End(address, failed: !valid);
        if (notBearer)
        {
            LogRefused(logger, request.Method, request.Path, "Authorization header is not Bearer");
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_request\"";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid admin key: send it as 'Authorization: Bearer <key>'.");
        }

        if (!valid)
        {
            LogRefused(logger, request.Method, request.Path, "invalid admin key");
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid admin key.");
        }

        return await next(context);
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Admin API request {Method} {Path} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, string reason);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Admin API request {Method} {Path} refused (429): too many wrong admin keys from this address")]
    private static partial void LogThrottled(ILogger logger, string method, PathString path);
}
