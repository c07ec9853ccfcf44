using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
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
        calls.MapPost("/{id}/hangup", HangupAsync);
        calls.MapPost("/{id}/transfer", TransferAsync);
        calls.MapPost("/outbound", OutboundAsync);
        return calls;
    }

    private static async Task<IResult> InstructionsAsync(string id, HttpContext context, CallControlExecutor control)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.InstructionsRequest);
        if (body?.Instructions is not { Length: > 0 and <= MaxTextChars * 4 } instructions)
        {
            return Problem(StatusCodes.Status400BadRequest, "Body must be {\"instructions\": \"…\"} with non-empty instructions.");
        }

        return await DispatchAsync(context, control, id, CallControlCommand.Instructions, instructions);
    }

    private static async Task<IResult> SayAsync(string id, HttpContext context, CallControlExecutor control)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.SayRequest);
        if (body?.Text is not { Length: > 0 and <= MaxTextChars } text)
        {
            return Problem(StatusCodes.Status400BadRequest, $"Body must be {{\"text\": \"…\"}} with 1–{MaxTextChars} characters.");
        }

        return await DispatchAsync(context, control, id, CallControlCommand.Say, text);
    }

    private static Task<IResult> HangupAsync(string id, HttpContext context, CallControlExecutor control) =>
        DispatchAsync(context, control, id, CallControlCommand.Hangup, null);

    private static async Task<IResult> TransferAsync(string id, HttpContext context, CallControlExecutor control, [FromServices] IOptions<ToolsOptions> tools)
    {
        var body = await ReadAsync(context, CallsJsonContext.Default.TransferRequest, allowEmpty: true);
        if (string.IsNullOrEmpty(body?.To ?? tools.Value.TransferNumber))
        {
            return Problem(StatusCodes.Status400BadRequest, "No number: send {\"to\": \"+1…\"} or configure Tools:TransferNumber.");
        }

        return await DispatchAsync(context, control, id, CallControlCommand.Transfer, body?.To);
    }

    private static async Task<IResult> OutboundAsync(
        HttpContext context,
        [FromServices] TwilioRestClient twilio,
        [FromServices] IOutboundInstructions outbound,
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
            await outbound.AddAsync(callSid, body.Instructions, context.RequestAborted);
        }

        ControlAudit.Log(logger, callSid, new ControlAction("outbound", AdminKeyId.Of(context.Request), to));
        return Results.Json(new OutboundResult(callSid, result.CallStatus), CallsJsonContext.Responses.OutboundResult, statusCode: StatusCodes.Status201Created);
    }

    // The call may live on this instance or another: the executor runs it where it is (Cluster/ carries it there).
    private static async Task<IResult> DispatchAsync(HttpContext context, CallControlExecutor control, string id, string action, string? argument)
    {
        var command = new CallControlCommand { CallId = id, Action = action, AdminKeyId = AdminKeyId.Of(context.Request), Argument = argument };
        var outcome = await control.DispatchAsync(command, context.RequestAborted);
        return outcome.Succeeded
            ? Results.Json(new ControlResult(id, action, outcome.State ?? "live"), CallsJsonContext.Responses.ControlResult, statusCode: outcome.Status)
            : Problem(outcome.Status, outcome.Error ?? "The action failed.");
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

    private static IResult Problem(int status, string title) => Results.Problem(statusCode: status, title: title);
}
