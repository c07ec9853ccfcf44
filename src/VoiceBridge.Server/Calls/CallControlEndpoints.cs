using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Live call control under <c>/calls</c> (admin key): mid-call instructions, say a text now, hang up, transfer, and
/// outbound calls. Unknown call → 404; a call without control (not started yet, or a browser call for transfer) → 409.
/// Every action is audited with the admin key's id through <see cref="ControlAudit"/>.
/// </summary>
internal static class CallControlEndpoints
{
    private const int MaxTextChars = 4000;

    public static RouteGroupBuilder MapCallControl(this RouteGroupBuilder calls)
    {
        calls.MapPost("/{id}/instructions", InstructionsAsync);
        calls.MapPost("/{id}/say", SayAsync);
        calls.MapPost("/{id}/hangup", Hangup);
        calls.MapPost("/{id}/transfer", TransferAsync);
        calls.MapPost("/outbound", OutboundAsync);
        return calls;
    }

    private static async Task<IResult> InstructionsAsync(string id, HttpContext context, CallRegistry registry, ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.InstructionsRequest);
        if (body?.Instructions is not { Length: > 0 and <= MaxTextChars * 4 } instructions)
        {
            return Problem(StatusCodes.Status400BadRequest, "Body must be {\"instructions\": \"…\"} with non-empty instructions.");
        }

        return await ActAsync(id, "instructions", context, registry, logger, instructions.Length + " chars",
            control => control.UpdateInstructionsAsync(instructions));
    }

    private static async Task<IResult> SayAsync(string id, HttpContext context, CallRegistry registry, ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.SayRequest);
        if (body?.Text is not { Length: > 0 and <= MaxTextChars } text)
        {
            return Problem(StatusCodes.Status400BadRequest, $"Body must be {{\"text\": \"…\"}} with 1–{MaxTextChars} characters.");
        }

        return await ActAsync(id, "say", context, registry, logger, text.Length + " chars", control => control.SayAsync(text));
    }

    private static IResult Hangup(string id, HttpContext context, CallRegistry registry, ILogger<CallController> logger)
    {
        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        ControlAudit.Record(logger, call, new ControlAction("hangup", AdminKeyId.Of(context.Request), null));
        // Closing the stream ends the Twilio call: no TwiML follows our <Connect>
        // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
        call.Stop(CallEndReason.EndedByBridge, "hung up by an operator");
        return Results.Json(new ControlResult(id, "hangup", "ending"), CallsJsonContext.Responses.ControlResult, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> TransferAsync(
        string id,
        HttpContext context,
        CallRegistry registry,
        [FromServices] IOptions<ToolsOptions> tools,
        ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.TransferRequest, allowEmpty: true);
        var number = body?.To ?? tools.Value.TransferNumber;
        if (string.IsNullOrEmpty(number))
        {
            return Problem(StatusCodes.Status400BadRequest, "No number: send {\"to\": \"+1…\"} or configure Tools:TransferNumber.");
        }

        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        if (call.Transport != "twilio" || call.Feature<CallController>() is not { } control)
        {
            return Problem(StatusCodes.Status409Conflict, "Only a live phone call can be transferred.");
        }

        ControlAudit.Record(logger, call, new ControlAction("transfer", AdminKeyId.Of(context.Request), number));
        var result = await control.TransferAsync(number, context.RequestAborted);
        return result.Succeeded
            ? Results.Json(new ControlResult(id, "transfer", control.State), CallsJsonContext.Responses.ControlResult)
            : Problem(StatusCodes.Status502BadGateway, result.Error ?? "Twilio refused the transfer.");
    }

    private static async Task<IResult> OutboundAsync(
        HttpContext context,
        [FromServices] TwilioRestClient twilio,
        [FromServices] OutboundCalls outbound,
        [FromServices] IOptions<TwilioOptions> options,
        ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.OutboundRequest);
        if (body is not { To: { Length: > 0 } to, From: { Length: > 0 } from } || body.Instructions is { Length: > MaxTextChars * 4 })
        {
            return Problem(StatusCodes.Status400BadRequest, "Body must be {\"to\": \"+1…\", \"from\": \"+1…\", \"instructions\"?: \"…\"}.");
        }

        if (options.Value.PublicBaseUrl is not { } publicBase)
        {
            return Problem(StatusCodes.Status409Conflict, "Twilio:PublicBaseUrl is required for outbound calls: Twilio fetches the call's TwiML from it.");
        }

        if (!twilio.IsConfigured)
        {
            return Problem(StatusCodes.Status409Conflict, "Twilio:AccountSid and Twilio:AuthToken are required for outbound calls.");
        }

        // Twilio asks our signed voice webhook for the TwiML once the callee answers; the webhook answers with
        // <Connect><Stream> and a call token bound to the new CallSid, exactly like an inbound call.
        var url = new Uri(publicBase.ToString().TrimEnd('/') + TwilioUrls.VoicePath);
        var result = await twilio.CreateCallAsync(to, from, url, context.RequestAborted);
        if (!result.Succeeded || result.CallSid is not { } callSid)
        {
            return Problem(StatusCodes.Status502BadGateway, result.Error ?? "Twilio did not return a CallSid.");
        }

        if (!string.IsNullOrEmpty(body.Instructions))
        {
            outbound.Add(callSid, body.Instructions);
        }

        ControlAudit.Log(logger, callSid, new ControlAction("outbound", AdminKeyId.Of(context.Request), to));
        return Results.Json(new OutboundResult(callSid, result.CallStatus), CallsJsonContext.Responses.OutboundResult, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ActAsync(
        string id,
        string action,
        HttpContext context,
        CallRegistry registry,
        ILogger logger,
        string detail,
        Func<CallController, ValueTask<bool>> run)
    {
        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        if (call.Feature<CallController>() is not { } control)
        {
            return Problem(StatusCodes.Status409Conflict, "This call cannot be controlled yet (its upstream is not connected).");
        }

        ControlAudit.Record(logger, call, new ControlAction(action, AdminKeyId.Of(context.Request), detail));
        return await run(control)
            ? Results.Json(new ControlResult(id, action, control.State), CallsJsonContext.Responses.ControlResult, statusCode: StatusCodes.Status202Accepted)
            : Problem(StatusCodes.Status409Conflict, "The call ended before the action could be sent.");
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, bool allowEmpty = false)
        where T : class
    {
        try
        {
            if (allowEmpty && context.Request.ContentLength is 0 or null && !context.Request.HasJsonContentType())
            {
                return null;
            }

            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult UnknownCall(string id) => Problem(StatusCodes.Status404NotFound, $"No live call '{id}'.");

    private static IResult Problem(int status, string title) => Results.Problem(statusCode: status, title: title);
}
