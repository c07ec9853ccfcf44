using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// <c>GET /v1/realtime</c>: the OpenAI-Realtime-compatible WebSocket. Origin and client token are checked before
/// the upgrade (403 / 401), so a refused client never gets a socket, let alone an upstream.
/// </summary>
internal static partial class RealtimeEndpoint
{
    public static async Task HandleAsync(
        HttpContext context,
        [FromServices] IOptions<BrowserOptions> options,
        [FromServices] ClientTokens tokens,
        [FromServices] SessionPolicy policy,
        [FromServices] TimeProvider time,
        [FromServices] ILoggerFactory loggers,
        [FromServices] CallAdmission admission,
        [FromServices] CallSessions calls,
        [FromServices] SameOrigin sameOrigin)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger<RealtimeClientLeg>();
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var origin = context.Request.Headers.Origin.ToString();
        // The demo page, when served, is this server's own origin: it may connect without being listed.
        if (origin.Length > 0 && !settings.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)
            && !(settings.DemoPage && sameOrigin.IsSameOrigin(context.Request)))
        {
            LogOriginRefused(logger, origin);
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "origin_not_allowed", "This origin may not connect.", null);
            return;
        }

        // Before the token check so a refused connect does not use up a single-use token.
        using var slot = admission.TryAdmit("browser");
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = "5";
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "server_busy", "The bridge cannot take a new session right now.", null);
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var check = await tokens.CheckAsync(ClientSecretsEndpoint.BearerToken(context.Request) ?? TokenFromSubprotocols(offered), context.RequestAborted);
        if (check.Status == ClientTokenStatus.Unavailable)
        {
            // The shared replay set (Cluster:Redis) is unreachable: not the client's fault, and the token is not spent.
            LogTokenRefused(logger, check.Status);
            context.Response.Headers.RetryAfter = "5";
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "server_busy", "The bridge cannot take a new session right now.", null);
            return;
        }

        if (!check.IsValid)
        {
            LogTokenRefused(logger, check.Status);
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_api_key", "A valid client token is required.", null);
            return;
        }

        // The token was checked when minted; a session that no longer builds (config changed) is the server's fault.
        var effective = EffectiveSession.Build(policy, check.SessionJson is null ? null : JsonNode.Parse(check.SessionJson) as JsonObject);
        if (effective is null)
        {
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "server_error", "The token's session cannot be served.", null);
            return;
        }

        // Echo "realtime" only: echoing the key subprotocol would hand the token back in a response header.
        var subprotocol = offered.Contains(BrowserUrls.RealtimeSubprotocol, StringComparer.Ordinal) ? BrowserUrls.RealtimeSubprotocol : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol);
        var filter = new SessionFieldFilter(settings.ClientMayChangePaths(), settings.ExposeTools, policy.Model);
        using var leg = new RealtimeClientLeg(socket, filter, effective, BrowserSessionSettings.From(settings), settings.ExposeTools, time, logger);
        // Not linked to ApplicationStopping: on shutdown the drain lets the session finish, then stops it (Shutdown/).
        await calls.RunAsync(leg, context.RequestAborted);
    }

    private static string? TokenFromSubprotocols(IList<string> offered)
    {
        foreach (var protocol in offered)
        {
            if (protocol.StartsWith(BrowserUrls.KeySubprotocolPrefix, StringComparison.Ordinal))
            {
                return protocol[BrowserUrls.KeySubprotocolPrefix.Length..];
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 1320, Level = LogLevel.Warning, Message = "Realtime connection refused: origin {Origin} is not in Browser:AllowedOrigins")]
    private static partial void LogOriginRefused(ILogger logger, string origin);

    [LoggerMessage(EventId = 1321, Level = LogLevel.Warning, Message = "Realtime connection refused: client token {Status}")]
    private static partial void LogTokenRefused(ILogger logger, ClientTokenStatus status);
}
