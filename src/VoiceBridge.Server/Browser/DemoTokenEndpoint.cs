using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// <c>POST /demo/client_secret</c>, mapped only when <see cref="BrowserOptions.DemoPage"/> is on: the demo page's
/// stand-in for an app backend. It mints a client token without a bridge API key (that is what makes it
/// development-only), for the server's own session policy and a short lifetime, and only for the page's own origin.
/// </summary>
internal static partial class DemoTokenEndpoint
{
    /// <summary>The page asks for its token right before it connects; a minute is plenty and limits a leaked one.</summary>
    private const int LifetimeSeconds = 60;

    public static async Task HandleAsync(
        HttpContext context,
        [FromServices] IOptions<BrowserOptions> options,
        [FromServices] ClientTokens tokens,
        [FromServices] SessionPolicy policy,
        [FromServices] ILoggerFactory loggers,
        [FromServices] SameOrigin sameOrigin)
    {
        // A page on another site could otherwise POST here (a simple cross-site form post needs no CORS preflight)
        // and hand the token to its own script; a page on a rebinding domain is refused by host (see SameOrigin). Tools
        // without Origin (curl on the developer's machine) are fine.
        if (!sameOrigin.IsSameOriginOrNone(context.Request))
        {
            LogCrossSite(loggers.CreateLogger("VoiceBridge.Browser"), context.Request.Headers.Origin.ToString());
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status403Forbidden, "origin_not_allowed", "The demo token is for the demo page on this server only.", null);
            return;
        }

        var effective = EffectiveSession.Build(policy, null);
        if (effective is null)
        {
            await ClientSecretsEndpoint.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "server_error", "The server session cannot be served to browsers.", null);
            return;
        }

        var settings = options.Value;
        await ClientSecretsEndpoint.WriteSecretAsync(context, tokens, settings, policy, effective, null, Math.Min(LifetimeSeconds, settings.TokenLifetimeSeconds));
    }

    [LoggerMessage(EventId = 1340, Level = LogLevel.Warning, Message = "Demo token refused: request from another origin ({Origin})")]
    private static partial void LogCrossSite(ILogger logger, string origin);
}
