using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// <c>POST /v1/realtime/calls</c>: a browser's direct WebRTC call. The body is the browser's raw SDP offer
/// (<c>Content-Type: application/sdp</c>), authenticated with a single-use client token from
/// <c>POST /v1/realtime/client_secrets</c>; a refused token is a 401 before anything reaches the upstream. The session is
/// the server's policy (a client never sends one here; what it may change, <c>Browser:ClientMayChange</c>, it changes
/// over the data channel, and the sideband sees it). The offer goes to the upstream's <c>/calls</c> unchanged with that
/// session; the bridge opens the sideband and has the policy confirmed on it <b>before</b> it answers the browser with
/// the upstream's SDP (201, <c>Location: /v1/realtime/calls/{call id}</c>), so no audio flows before the bridge holds the call.
/// </summary>
internal static partial class WebRtcOfferEndpoint
{
    public const string Path = "/v1/realtime/calls";

    public static async Task HandleAsync(HttpContext context, [FromServices] DirectCalls direct, [FromServices] ClientTokens tokens, [FromServices] ILogger<DirectCalls> logger)
    {
        var request = context.Request;
        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase))
        {
            await DirectErrors.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "unsupported_media_type",
                "Send the browser's SDP offer as the body, with Content-Type: application/sdp.");
            return;
        }

        var offer = await ReadOfferAsync(request, direct.Options.MaxOfferBytes);
        if (offer is null)
        {
            await DirectErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "offer_too_large", $"The offer is limited to {direct.Options.MaxOfferBytes} bytes.");
            return;
        }

        if (!offer.StartsWith("v=0", StringComparison.Ordinal))
        {
            await DirectErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_sdp", "The body is not an SDP offer (it must start with v=0).");
            return;
        }

        // Before the token check, so a refused call does not spend a single-use token (as on /v1/realtime).
        // Handed to the call when it runs (DirectCalls.Run releases it when the call ends); released here otherwise.
#pragma warning disable CA2000
        var slot = direct.TryAdmit(DirectCallLeg.WebRtc);
#pragma warning restore CA2000
        if (slot is null)
        {
            context.Response.Headers.RetryAfter = "5";
            await DirectErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "server_busy", "The bridge cannot take a new call right now.");
            return;
        }

        var handed = false;
        try
        {
            var check = await tokens.CheckAsync(KeyList.BearerToken(request), context.RequestAborted);
            if (check.Status == ClientTokenStatus.Unavailable)
            {
                // The shared replay set (Cluster:Redis) is unreachable: not the client's fault, and the token is not spent.
                LogTokenRefused(logger, check.Status);
                direct.Refused(DirectCallLeg.WebRtc, "token");
                context.Response.Headers.RetryAfter = "5";
                await DirectErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "server_busy", "The bridge cannot take a new call right now.");
                return;
            }

            if (!check.IsValid)
            {
                LogTokenRefused(logger, check.Status);
                direct.Refused(DirectCallLeg.WebRtc, "token");
                await DirectErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_api_key", "A valid client token is required (Authorization: Bearer …).");
                return;
            }

            var session = direct.NewSession(check.SessionJson is null ? null : JsonNode.Parse(check.SessionJson) as JsonObject);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeout.CancelAfter(direct.RequestTimeout);
            var created = await direct.Upstream.CreateAsync(offer, session.CallSessionJson(), timeout.Token);
            if (!created.Succeeded)
            {
                LogUpstreamRefused(logger, created.HttpStatus, created.Description);
                direct.Refused(DirectCallLeg.WebRtc, "upstream");
                await DirectErrors.WriteAsync(context, StatusCodes.Status502BadGateway, "upstream_unavailable", "The model did not take the call.");
                return;
            }

            var callId = created.CallId!;
            var leg = direct.Run(DirectCallLeg.WebRtc, callId, null, session, slot);
            handed = true;

            // The sideband is open and the policy confirmed before the browser gets its answer; the call's own settle
            // timeout bounds the wait (the leg reports false when the call ended instead).
            if (!await leg.Ready)
            {
                await DirectErrors.WriteAsync(context, StatusCodes.Status502BadGateway, "upstream_unavailable", "The bridge could not take control of the call; it was hung up.");
                return;
            }

            LogAnswered(logger, callId);
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.Headers.Location = Path + "/" + Uri.EscapeDataString(callId);
            context.Response.ContentType = "application/sdp";
            await context.Response.WriteAsync(created.AnswerSdp!, Encoding.UTF8, context.RequestAborted);
        }
        finally
        {
            if (!handed)
            {
                slot.Dispose();
            }
        }
    }

    // The body, at most max bytes; null when larger.
    private static async Task<string?> ReadOfferAsync(HttpRequest request, int max)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= max && (read = await request.Body.ReadAsync(buffer.AsMemory(length, max + 1 - length), request.HttpContext.RequestAborted)) > 0)
            {
                length += read;
            }

            return length > max ? null : Encoding.UTF8.GetString(buffer, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 1752, Level = LogLevel.Warning, Message = "WebRTC call refused: client token {Status}")]
    private static partial void LogTokenRefused(ILogger logger, ClientTokenStatus status);

    [LoggerMessage(EventId = 1753, Level = LogLevel.Warning, Message = "WebRTC call not created: the upstream answered HTTP {Status}: {Detail}")]
    private static partial void LogUpstreamRefused(ILogger logger, int? status, string detail);

    [LoggerMessage(EventId = 1754, Level = LogLevel.Information, Message = "WebRTC call {CallId}: sideband holds the policy; answering the browser")]
    private static partial void LogAnswered(ILogger logger, string callId);
}
