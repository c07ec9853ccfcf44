namespace VoiceBridge.Server.Calls;

/// <summary>
/// Carries a control action to the instance that owns the call and brings its outcome back. Alone, no other instance
/// owns anything (<see cref="LocalControlRouter"/>); with <c>Cluster:Redis</c> the owner is reached over Redis pub/sub.
/// </summary>
internal interface ICallControlRouter
{
    /// <summary>
    /// Runs <paramref name="command"/> on <paramref name="instance"/>: its outcome, or a 503/504 outcome saying the owner
    /// is gone or did not answer in time.
    /// </summary>
    Task<ControlOutcome> SendAsync(string instance, CallControlCommand command, CancellationToken cancellationToken);
}
