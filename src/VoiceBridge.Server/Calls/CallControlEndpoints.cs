using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Live call control under <c>/calls</c> (admin key): mid-call instructions, say a text now, hang up, transfer (carried
/// out by <see cref="CallControl"/>, which the operations dashboard uses too), and outbound calls. Every action is
/// audited with the admin key's id through <see cref="ControlAudit"/>.
/// </summary>
internal static class CallControlEndpoints
{
    private const int MaxTextChars = CallControl.MaxTextChars;

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
        return Answer(await CallControl.InstructionsAsync(registry, logger, id, body?.Instructions, AdminKeyId.Of(context.Request)));
    }

    private static async Task<IResult> SayAsync(string id, HttpContext context, CallRegistry registry, ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.SayRequest);
        return Answer(await CallControl.SayAsync(registry, logger, id, body?.Text, AdminKeyId.Of(context.Request)));
    }

    private static IResult Hangup(string id, HttpContext context, CallRegistry registry, ILogger<CallController> logger) =>
        Answer(CallControl.Hangup(registry, logger, id, AdminKeyId.Of(context.Request)));

    private static async Task<IResult> TransferAsync(
        string id,
        HttpContext context,
        CallRegistry registry,
        [FromServices] IOptions<ToolsOptions> tools,
        ILogger<CallController> logger)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.TransferRequest, allowEmpty: true);
        return Answer(await CallControl.TransferAsync(registry, logger, id, body?.To, tools.Value.TransferNumber, AdminKeyId.Of(context.Request), context.RequestAborted));
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

    private static IResult Answer(ControlOutcome outcome) => outcome.Result is { } result
        ? Results.Json(result, CallsJsonContext.Responses.ControlResult, statusCode: outcome.Status)
        : Problem(outcome.Status, outcome.Problem ?? "Refused.");

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

    private static IResult Problem(int status, string title) => Results.Problem(statusCode: status, title: title);
}
