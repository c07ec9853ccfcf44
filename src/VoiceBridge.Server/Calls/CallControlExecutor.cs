using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Carries out an operator's action: on the call here when this instance owns it, otherwise through the
/// <see cref="ICallControlRouter"/> on the instance the <see cref="ICallDirectory"/> names. The owner runs
/// <see cref="RunLocalAsync"/> either way, so the action is checked and audited (with the admin key's id) where the call is.
/// </summary>
internal sealed partial class CallControlExecutor(
    CallRegistry registry,
    ICallDirectory directory,
    ICallControlRouter router,
    IOptions<ToolsOptions> tools,
    ILogger<CallController> logger)
{
    /// <summary>Runs <paramref name="command"/> wherever its call lives.</summary>
    public async Task<ControlOutcome> DispatchAsync(CallControlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (registry.Find(command.CallId) is not null)
        {
            return await RunLocalAsync(command, cancellationToken);
        }

        var entry = await directory.FindAsync(command.CallId, cancellationToken);
        if (entry is null || entry.Instance == directory.InstanceId)
        {
            return ControlOutcome.NoLiveCall(command.CallId);
        }

        var outcome = await router.SendAsync(entry.Instance, command, cancellationToken);
        LogRouted(logger, command.CallId, command.Action, entry.Instance, outcome.Status);
        return outcome;
    }

    /// <summary>Runs <paramref name="command"/> on a call of this instance (404 when it has none by that id).</summary>
    public async Task<ControlOutcome> RunLocalAsync(CallControlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (registry.Find(command.CallId) is not { } call)
        {
            return ControlOutcome.NoLiveCall(command.CallId);
        }

        switch (command.Action)
        {
            case CallControlCommand.Hangup:
                ControlAudit.Record(logger, call, new ControlAction(CallControlCommand.Hangup, command.AdminKeyId, null));
                // Closing the stream ends the Twilio call: no TwiML follows our <Connect>
                // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
                call.Stop(CallEndReason.EndedByBridge, "hung up by an operator");
                return new ControlOutcome(StatusCodes.Status202Accepted, "ending");
            case CallControlCommand.Transfer:
                var number = command.Argument ?? tools.Value.TransferNumber;
                if (string.IsNullOrEmpty(number))
                {
                    return new ControlOutcome(StatusCodes.Status400BadRequest, Error: "No number: send {\"to\": \"+1…\"} or configure Tools:TransferNumber.");
                }

                if (call.Transport != "twilio" || call.Feature<CallController>() is not { } phone)
                {
                    return new ControlOutcome(StatusCodes.Status409Conflict, Error: "Only a live phone call can be transferred.");
                }

                ControlAudit.Record(logger, call, new ControlAction(CallControlCommand.Transfer, command.AdminKeyId, number));
                var result = await phone.TransferAsync(number, cancellationToken);
                return result.Succeeded
                    ? new ControlOutcome(StatusCodes.Status200OK, phone.State)
                    : new ControlOutcome(StatusCodes.Status502BadGateway, Error: result.Error ?? "Twilio refused the transfer.");
            case CallControlCommand.Instructions or CallControlCommand.Say when command.Argument is { } text:
                if (call.Feature<CallController>() is not { } control)
                {
                    return new ControlOutcome(StatusCodes.Status409Conflict, Error: "This call cannot be controlled yet (its upstream is not connected).");
                }

                ControlAudit.Record(logger, call, new ControlAction(command.Action, command.AdminKeyId, text.Length + " chars"));
                var sent = command.Action == CallControlCommand.Say ? await control.SayAsync(text) : await control.UpdateInstructionsAsync(text);
                return sent
                    ? new ControlOutcome(StatusCodes.Status202Accepted, control.State)
                    : new ControlOutcome(StatusCodes.Status409Conflict, Error: "The call ended before the action could be sent.");
            default:
                return new ControlOutcome(StatusCodes.Status400BadRequest, Error: $"Unknown control action '{command.Action}'.");
        }
    }

    [LoggerMessage(EventId = 1511, Level = LogLevel.Information, Message = "Call {CallId}: control action {Action} sent to its owner {Instance}, answered {Status}")]
    private static partial void LogRouted(ILogger logger, string callId, string action, string instance, int status);
}
