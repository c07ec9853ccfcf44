namespace VoiceBridge.Server.Calls;

/// <summary>The single instance's router: the directory only ever names this instance, so no call is elsewhere.</summary>
internal sealed class LocalControlRouter : ICallControlRouter
{
    public Task<ControlOutcome> SendAsync(string instance, CallControlCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Task.FromResult(ControlOutcome.NoLiveCall(command.CallId));
    }
}
