using System.Globalization;
using System.Text.Json;
using VoiceBridge.Server.Limits;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// The dashboard's login: <c>POST /ops/login</c> exchanges a key (operator or viewer) for the session cookie,
/// <c>GET /ops/session</c> says who the cookie proves, <c>POST /ops/logout</c> drops it. Wrong keys drain the same
/// per-IP budget as wrong admin keys on the admin API (<see cref="AdminKeyThrottle"/>); requests from another origin
/// are refused.
/// </summary>
internal static partial class OpsLoginEndpoints
{
    private const int MaxKeyLength = 1024;

    public static RouteGroupBuilder MapOpsLogin(this RouteGroupBuilder ops)
    {
        ops.MapPost("/login", LoginAsync);
        ops.MapPost("/logout", Logout);
        ops.MapGet("/session", Session);
        return ops;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, OpsSessions sessions, AdminKeyThrottle throttle, ILogger<OpsSessions> logger)
    {
        var request = context.Request;
        if (!SameOrigin.IsOwnPageOrNone(request))
        {
            LogRefused(logger, "request from another origin");
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The dashboard's login is for its own page.");
        }

        OpsLoginRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(request.Body, OpsJsonContext.Default.OpsLoginRequest, context.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?.Key is not { Length: > 0 and <= MaxKeyLength } key)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Body must be {\"key\": \"…\"}.");
        }

        var address = context.Connection.RemoteIpAddress;
        if (throttle.TryBegin(address) is { } wait)
        {
            LogRefused(logger, "too many wrong keys from this address");
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong keys from this address; retry later.");
        }

        var session = sessions.Open(key);
        throttle.End(address, failed: session is null);
        if (session is null)
        {
            LogRefused(logger, "invalid key");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Invalid key.");
        }

        OpsSessions.SetCookie(context.Response, session, key);
        LogLoggedIn(logger, session.RoleName, session.KeyId);
        return Results.Json(Info(session), OpsJsonContext.Default.OpsSessionInfo);
    }

    private static IResult Logout(HttpContext context)
    {
        if (!SameOrigin.IsOwnPageOrNone(context.Request))
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The dashboard's logout is for its own page.");
        }

        OpsSessions.ClearCookie(context.Response);
        return Results.NoContent();
    }

    private static IResult Session(HttpContext context, OpsSessions sessions) =>
        sessions.Read(context.Request) is { } session
            ? Results.Json(Info(session), OpsJsonContext.Default.OpsSessionInfo)
            : Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Not logged in.");

    private static OpsSessionInfo Info(OpsSession session) => new(session.RoleName, session.KeyId, session.Expires.ToUnixTimeMilliseconds());

    [LoggerMessage(EventId = 1730, Level = LogLevel.Information, Message = "Dashboard login: {Role} key {KeyId}")]
    private static partial void LogLoggedIn(ILogger logger, string role, string keyId);

    [LoggerMessage(EventId = 1731, Level = LogLevel.Warning, Message = "Dashboard login refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
