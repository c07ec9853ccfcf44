namespace VoiceBridge.Server.Calls;

/// <summary>
/// The operator's actions on a live call — new instructions, say a text now, hang up, transfer — whoever asks: the admin
/// API (<see cref="CallControlEndpoints"/>) and the operations dashboard. Each is validated here the same way, then
/// carried out by the <see cref="CallControlExecutor"/> wherever the call lives (this instance or, with
/// <c>Cluster:Redis</c>, its owner), audited there with the admin key's id. Unknown call → 404; a call without control
/// (not started yet, or a browser call for transfer) → 409; its owner gone → 410.
/// </summary>
internal static class CallControl
{
    public const int MaxTextChars = 4000;
    public const int MaxInstructionsChars = MaxTextChars * 4;

    public static Task<ControlOutcome> InstructionsAsync(CallControlExecutor executor, string id, string? instructions, string adminKeyId, CancellationToken cancellationToken) =>
        instructions is not { Length: > 0 and <= MaxInstructionsChars }
            ? Task.FromResult(Refused("Body must be {\"instructions\": \"…\"} with non-empty instructions."))
            : DispatchAsync(executor, id, CallControlCommand.Instructions, instructions, adminKeyId, cancellationToken);

    public static Task<ControlOutcome> SayAsync(CallControlExecutor executor, string id, string? text, string adminKeyId, CancellationToken cancellationToken) =>
        text is not { Length: > 0 and <= MaxTextChars }
            ? Task.FromResult(Refused($"Body must be {{\"text\": \"…\"}} with 1–{MaxTextChars} characters."))
            : DispatchAsync(executor, id, CallControlCommand.Say, text, adminKeyId, cancellationToken);

    public static Task<ControlOutcome> HangupAsync(CallControlExecutor executor, string id, string adminKeyId, CancellationToken cancellationToken) =>
        DispatchAsync(executor, id, CallControlCommand.Hangup, null, adminKeyId, cancellationToken);

    /// <param name="executor">Runs the action where the call is.</param>
    /// <param name="id">The call.</param>
    /// <param name="number">The number asked for; null: <paramref name="configuredNumber"/> (on the owner).</param>
    /// <param name="configuredNumber"><c>Tools:TransferNumber</c>.</param>
    /// <param name="adminKeyId">Who asked (the key's id, for the audit).</param>
    /// <param name="cancellationToken">The request's.</param>
    public static Task<ControlOutcome> TransferAsync(CallControlExecutor executor, string id, string? number, string? configuredNumber, string adminKeyId, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(number ?? configuredNumber)
            ? Task.FromResult(Refused("No number: send {\"to\": \"+1…\"} or configure Tools:TransferNumber."))
            : DispatchAsync(executor, id, CallControlCommand.Transfer, number, adminKeyId, cancellationToken);

    private static Task<ControlOutcome> DispatchAsync(CallControlExecutor executor, string id, string action, string? argument, string adminKeyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.DispatchAsync(new CallControlCommand { CallId = id, Action = action, AdminKeyId = adminKeyId, Argument = argument }, cancellationToken);
    }

    private static ControlOutcome Refused(string problem) => new(StatusCodes.Status400BadRequest, Error: problem);
}
