using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Hosting;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// <c>POST /openai/webhook</c>: OpenAI's signed webhooks; <c>realtime.call.incoming</c> is a SIP call ringing at the
/// upstream's SIP interface (docs/protocols/openai-webhooks.md). The signature is checked with
/// <c>Upstream:WebhookSecret</c> (a bad one, a stale timestamp or a replayed id: no accept, one log line, a counted
/// metric). The answer is a fast 200; then, in the background, the call is rejected with 486 when the bridge is draining
/// or full, or accepted with the server policy and run on the call core with its sideband. Other event types are
/// acknowledged and ignored.
/// </summary>
internal static partial class SipWebhookEndpoint
{
    public const string Path = "/openai/webhook";
    public const string IncomingCall = "realtime.call.incoming";

    private const int MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(HttpContext context, [FromServices] DirectCalls direct, [FromServices] StandardWebhooks webhooks, [FromServices] ILogger<DirectCalls> logger)
    {
        var request = context.Request;
        var body = await ReadBodyAsync(request);
        if (body is null)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        var check = await webhooks.CheckAsync(
            request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), request.Headers["webhook-signature"].ToString(), body, context.RequestAborted);
        if (check != WebhookCheckStatus.Valid)
        {
            direct.WebhookRefused(check);
            // A replay is answered like the delivery it repeats (Standard Webhooks: the id is an idempotency key), but
            // nothing is done again; the rest are refused.
            context.Response.StatusCode = check == WebhookCheckStatus.Replayed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
            return;
        }

        IncomingCallEvent? incoming;
        try
        {
            incoming = JsonSerializer.Deserialize(body, DirectJsonContext.Default.IncomingCallEvent);
        }
        catch (JsonException)
        {
            incoming = null;
        }

        if (incoming?.Type != IncomingCall)
        {
            LogIgnored(logger, incoming?.Type ?? "(unreadable)");
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (incoming.Data?.CallId is not { Length: > 0 and <= 256 } callId)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var caller = SipCaller.FromHeaders(incoming.Data.SipHeaders);
        LogIncoming(logger, callId, caller ?? "-");
        _ = Task.Run(() => AnswerAsync(direct, callId, caller, logger));
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    // Accept with the server policy, or reject as busy; the webhook's sender is not kept waiting for either.
    private static async Task AnswerAsync(DirectCalls direct, string callId, string? caller, ILogger logger)
    {
        using var timeout = new CancellationTokenSource(direct.RequestTimeout);
        // Handed to the call when it runs (DirectCalls.Run releases it when the call ends); released here otherwise.
#pragma warning disable CA2000
        var slot = direct.TryAdmit(DirectCallLeg.Sip);
#pragma warning restore CA2000
        if (slot is null)
        {
            var rejected = await direct.Upstream.RejectAsync(callId, DirectCalls.SipBusy, timeout.Token);
            LogRejected(logger, callId, rejected.Succeeded, rejected.HttpStatus);
            return;
        }

        var session = direct.NewSession(null);
        var accepted = await direct.Upstream.AcceptAsync(callId, session.CallSessionJson(), timeout.Token);
        if (!accepted.Succeeded)
        {
            slot.Dispose();
            direct.Refused(DirectCallLeg.Sip, "upstream");
            LogAcceptFailed(logger, callId, accepted.HttpStatus, accepted.Description);
            return;
        }

        direct.Run(DirectCallLeg.Sip, callId, caller, session, slot);
    }

    private static Task<byte[]?> ReadBodyAsync(HttpRequest request) => RequestBody.ReadAtMostAsync(request, MaxBodyBytes);

    [LoggerMessage(EventId = 1755, Level = LogLevel.Information, Message = "SIP call {CallId} from {Caller} ringing: answering")]
    private static partial void LogIncoming(ILogger logger, string callId, string caller);

    [LoggerMessage(EventId = 1756, Level = LogLevel.Warning, Message = "SIP call {CallId} rejected as busy (486); the upstream took the rejection: {Succeeded}, HTTP status {Status}")]
    private static partial void LogRejected(ILogger logger, string callId, bool succeeded, int? status);

    [LoggerMessage(EventId = 1757, Level = LogLevel.Warning, Message = "SIP call {CallId} could not be accepted: HTTP status {Status}: {Detail}")]
    private static partial void LogAcceptFailed(ILogger logger, string callId, int? status, string detail);

    [LoggerMessage(EventId = 1758, Level = LogLevel.Debug, Message = "OpenAI webhook of type {Type} acknowledged and ignored")]
    private static partial void LogIgnored(ILogger logger, string type);
}
