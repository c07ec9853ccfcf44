using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Tools;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// The operations dashboard's hub (<c>/ops/hub</c>, behind <see cref="OpsGate"/>). A connection joins group
/// <c>calls</c> and gets <c>hello</c> and this instance's keyframe at once; <see cref="Watch"/> joins a call's group
/// (<c>call:{id}</c>, its transcript and timeline). Operators act on calls through the admin API's own code
/// (<see cref="CallControl"/>), audited with their key's id; a viewer's attempt is refused and logged. Actions reach
/// a call wherever it lives: on this instance, or with <c>Cluster:Redis</c> on its owner.
/// </summary>
internal sealed partial class OpsHub(
    OpsFeed feed,
    OpsViewers viewers,
    CallControlExecutor control,
    IOptions<OpsOptions> options,
    IOptions<ToolsOptions> tools,
    ILogger<OpsHub> logger) : Hub
{
    public const string CallsGroup = "calls";
    public const string HelloMessage = "hello";
    public const string CallsMessage = "calls";
    public const string CallMessage = "call";

    public const string ViewerRefusal = "A viewer key may only watch: acting on a call needs an operator (admin) key.";

    public static string CallGroup(string callId) => "call:" + callId;

    public override async Task OnConnectedAsync()
    {
        var session = Session();
        viewers.Connected(Context, session.Expires);
        await Groups.AddToGroupAsync(Context.ConnectionId, CallsGroup);
        await Clients.Caller.SendAsync(HelloMessage, new OpsHello(session.RoleName, session.KeyId, feed.Instance, options.Value.UpdateIntervalMs, session.Expires.ToUnixTimeMilliseconds()));
        await Clients.Caller.SendAsync(CallsMessage, feed.Keyframe());
        LogConnected(logger, session.RoleName, session.KeyId);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        viewers.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>Opens a call: its transcript and timeline now (when it is on this instance), and their updates from then on.</summary>
    public async Task Watch(string callId)
    {
        if (!AuditTrailText.IsValidCallId(callId))
        {
            throw new HubException("A call id has letters, digits, '-' and '_' only.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, CallGroup(callId));
        viewers.Watch(Context.ConnectionId, callId);
        if (feed.Detail(callId) is { } detail)
        {
            await Clients.Caller.SendAsync(CallMessage, detail);
        }
    }

    public async Task Unwatch(string callId)
    {
        if (AuditTrailText.IsValidCallId(callId))
        {
            viewers.Unwatch(Context.ConnectionId, callId);
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, CallGroup(callId));
        }
    }

    /// <summary>Operator: the assistant says <paramref name="text"/> now.</summary>
    public Task<OpsActionResult> Say(string callId, string text) =>
        ActAsync("say", callId, key => CallControl.SayAsync(control, callId, text, key, Context.ConnectionAborted));

    /// <summary>Operator: new instructions for the rest of the call.</summary>
    public Task<OpsActionResult> Instructions(string callId, string instructions) =>
        ActAsync("instructions", callId, key => CallControl.InstructionsAsync(control, callId, instructions, key, Context.ConnectionAborted));

    /// <summary>Operator: end the call now.</summary>
    public Task<OpsActionResult> Hangup(string callId) =>
        ActAsync("hangup", callId, key => CallControl.HangupAsync(control, callId, key, Context.ConnectionAborted));

    /// <summary>Operator: redirect a phone call to <paramref name="to"/> (null: <c>Tools:TransferNumber</c>).</summary>
    public Task<OpsActionResult> Transfer(string callId, string? to) =>
        ActAsync("transfer", callId, key => CallControl.TransferAsync(control, callId, to, tools.Value.TransferNumber, key, Context.ConnectionAborted));

    private async Task<OpsActionResult> ActAsync(string action, string callId, Func<string, Task<ControlOutcome>> run)
    {
        var session = Session();
        if (session.Role != OpsRole.Operator)
        {
            // An answer, not a HubException: a refusal is expected, not a failure of the hub (which logs those as errors).
            LogViewerRefused(logger, action, session.KeyId);
            return new OpsActionResult(false, StatusCodes.Status403Forbidden, ViewerRefusal, null);
        }

        var outcome = await run(session.KeyId);
        return new OpsActionResult(outcome.Succeeded, outcome.Status, outcome.Error, outcome.Succeeded ? outcome.State : null);
    }

    // The gate let only sessions in; a connection without one is a bug, not a caller to serve.
    private OpsSession Session() => OpsSession.From(Context.User) ?? throw new HubException("Not logged in.");

    [LoggerMessage(EventId = 1720, Level = LogLevel.Information, Message = "Dashboard connected: {Role} key {KeyId}")]
    private static partial void LogConnected(ILogger logger, string role, string keyId);

    [LoggerMessage(EventId = 1721, Level = LogLevel.Warning, Message = "Dashboard action {Action} refused: key {KeyId} is a viewer key")]
    private static partial void LogViewerRefused(ILogger logger, string action, string keyId);
}
