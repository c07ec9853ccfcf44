using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Admission;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// <c>GET /twilio/media</c>: the Media Streams WebSocket. The upgrade's signature is checked first (403), then a call
/// slot is taken (503), then the socket is accepted and run as a call with a Twilio leg, which checks the call token.
/// </summary>
internal static partial class TwilioMediaEndpoint
{
    /// <summary>How long Twilio has, after the upgrade, to send its <c>start</c> message with the call token.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    public static async Task HandleAsync(
        HttpContext context,
        [FromServices] IOptions<TwilioOptions> options,
        [FromServices] CallTokens tokens,
        [FromServices] SessionPolicy policy,
        [FromServices] TimeProvider time,
        [FromServices] ILoggerFactory loggers,
        [FromServices] CallAdmission admission,
        [FromServices] CallSessions calls)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var settings = options.Value;
        var logger = loggers.CreateLogger<TwilioLeg>();
        // Checked before anything is allocated for the stream: an unsigned upgrade gets no socket and no call slot, so
        // strangers cannot fill the slots by opening upgrades and never answering the close.
        if (!string.IsNullOrEmpty(settings.AuthToken) && !IsSignedByTwilio(context.Request, settings))
        {
            LogBadUpgradeSignature(logger);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        // A stream that raced past the webhook's check (or arrives while draining) is refused before the upgrade.
        using var slot = admission.TryAdmit("twilio");
        if (slot is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        using var leg = new TwilioLeg(socket, tokens, policy, time, logger, StartTimeout, settings.Playback());
        // Not linked to ApplicationStopping: on shutdown the drain lets the call finish, then stops it (Shutdown/).
        await calls.RunAsync(leg, context.RequestAborted);
    }

    // Twilio signs the <Stream url> as written in the TwiML, wss:// and no parameters
    // (docs/protocols/twilio-media-streams.md#signing-the-media-streams-handshake); some integrations see it with a
    // trailing slash, which is accepted too.
    private static bool IsSignedByTwilio(HttpRequest request, TwilioOptions settings)
    {
        var url = TwilioUrls.MediaStreamUrl(request, settings);
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        return TwilioSignature.IsValid(settings.AuthToken!, url, [], signature)
            || TwilioSignature.IsValid(settings.AuthToken!, url + "/", [], signature);
    }

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Media stream upgrade refused (403): its X-Twilio-Signature does not match the stream URL")]
    private static partial void LogBadUpgradeSignature(ILogger logger);
}
