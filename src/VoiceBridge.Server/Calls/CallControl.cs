using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// The operator's actions on a live call — new instructions, say a text now, hang up, transfer — whoever asks: the admin
/// API (<see cref="CallControlEndpoints"/>) and the operations dashboard. Each is validated the same way and audited
/// with the admin key's id through <see cref="ControlAudit"/> before it is carried out. Unknown call → 404; a call
/// without control (not started yet, or a browser call for transfer) → 409.
/// </summary>
internal static class CallControl
{
    public const int MaxTextChars = 4000;
    public const int MaxInstructionsChars = MaxTextChars * 4;

    public static Task<ControlOutcome> InstructionsAsync(CallRegistry registry, ILogger logger, string id, string? instructions, string adminKeyId)
    {
        if (instructions is not { Length: > 0 and <= MaxInstructionsChars })
        {
            return Task.FromResult(ControlOutcome.Refused(StatusCodes.Status400BadRequest, "Body must be {\"instructions\": \"…\"} with non-empty instructions."));
        }

        return ActAsync(registry, logger, id, "instructions", adminKeyId, instructions.Length + " chars", control => control.UpdateInstructionsAsync(instructions));
    }

    public static Task<ControlOutcome> SayAsync(CallRegistry registry, ILogger logger, string id, string? text, string adminKeyId)
    {
        if (text is not { Length: > 0 and <= MaxTextChars })
        {
            return Task.FromResult(ControlOutcome.Refused(StatusCodes.Status400BadRequest, $"Body must be {{\"text\": \"…\"}} with 1–{MaxTextChars} characters."));
        }

        return ActAsync(registry, logger, id, "say", adminKeyId, text.Length + " chars", control => control.SayAsync(text));
    }

    public static ControlOutcome Hangup(CallRegistry registry, ILogger logger, string id, string adminKeyId)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        ControlAudit.Record(logger, call, new ControlAction("hangup", adminKeyId, null));
        // Closing the stream ends the Twilio call: no TwiML follows our <Connect>
        // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
        call.Stop(CallEndReason.EndedByBridge, "hung up by an operator");
        return ControlOutcome.Done(StatusCodes.Status202Accepted, new ControlResult(id, "hangup", "ending"));
    }

    /// <param name="registry">The live calls.</param>
    /// <param name="logger">Where the action is logged.</param>
    /// <param name="id">The call.</param>
    /// <param name="number">The number asked for; null: <paramref name="configuredNumber"/>.</param>
    /// <param name="configuredNumber"><c>Tools:TransferNumber</c>.</param>
    /// <param name="adminKeyId">Who asked (the key's id, for the audit).</param>
    /// <param name="cancellationToken">The request's.</param>
    public static async Task<ControlOutcome> TransferAsync(
        CallRegistry registry,
        ILogger logger,
        string id,
        string? number,
        string? configuredNumber,
        string adminKeyId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        number ??= configuredNumber;
        if (string.IsNullOrEmpty(number))
        {
            return ControlOutcome.Refused(StatusCodes.Status400BadRequest, "No number: send {\"to\": \"+1…\"} or configure Tools:TransferNumber.");
        }

        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        if (call.Transport != "twilio" || call.Feature<CallController>() is not { } control)
        {
            return ControlOutcome.Refused(StatusCodes.Status409Conflict, "Only a live phone call can be transferred.");
        }

        ControlAudit.Record(logger, call, new ControlAction("transfer", adminKeyId, number));
        var result = await control.TransferAsync(number, cancellationToken);
        return result.Succeeded
            ? ControlOutcome.Done(StatusCodes.Status200OK, new ControlResult(id, "transfer", control.State))
            : ControlOutcome.Refused(StatusCodes.Status502BadGateway, result.Error ?? "Twilio refused the transfer.");
    }

    private static async Task<ControlOutcome> ActAsync(
        CallRegistry registry,
        ILogger logger,
        string id,
        string action,
        string adminKeyId,
        string detail,
        Func<CallController, ValueTask<bool>> run)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (registry.Find(id) is not { } call)
        {
            return UnknownCall(id);
        }

        if (call.Feature<CallController>() is not { } control)
        {
            return ControlOutcome.Refused(StatusCodes.Status409Conflict, "This call cannot be controlled yet (its upstream is not connected).");
        }

        ControlAudit.Record(logger, call, new ControlAction(action, adminKeyId, detail));
        return await run(control)
            ? ControlOutcome.Done(StatusCodes.Status202Accepted, new ControlResult(id, action, control.State))
            : ControlOutcome.Refused(StatusCodes.Status409Conflict, "The call ended before the action could be sent.");
    }

    private static ControlOutcome UnknownCall(string id) => ControlOutcome.Refused(StatusCodes.Status404NotFound, $"No live call '{id}'.");
}
