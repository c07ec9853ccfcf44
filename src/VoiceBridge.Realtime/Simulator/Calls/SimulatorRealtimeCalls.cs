using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// The bridge's in-process simulator as an upstream of direct calls: <see cref="SimulatorCalls"/> called directly, no
/// HTTP, sidebands without sockets. A sideband to a call that is over fails as the API's does, with a 404.
/// </summary>
public sealed class SimulatorRealtimeCalls(SimulatorCalls calls) : IRealtimeCalls
{
    public SimulatorCalls Calls { get; } = calls ?? throw new ArgumentNullException(nameof(calls));

    public async ValueTask<RealtimeCallOutcome> CreateAsync(string offerSdp, string sessionJson, CancellationToken cancellationToken)
    {
        var result = await Calls.CreateWebRtcAsync(offerSdp, sessionJson, cancellationToken).ConfigureAwait(false);
        return result.Succeeded
            ? RealtimeCallOutcome.Ok(result.Status, result.Call!.Id, result.AnswerSdp)
            : RealtimeCallOutcome.Failed(result.Status, result.Error ?? "refused");
    }

    public async ValueTask<RealtimeCallOutcome> AcceptAsync(string callId, string sessionJson, CancellationToken cancellationToken) =>
        Outcome(await Calls.AcceptAsync(callId, sessionJson).ConfigureAwait(false));

    public ValueTask<RealtimeCallOutcome> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Outcome(Calls.Reject(callId, sipStatus)));

    public ValueTask<RealtimeCallOutcome> HangupAsync(string callId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Outcome(Calls.Hangup(callId)));

    public IRealtimeConnector Sideband(string callId) => new Connector(Calls, callId);

    private static RealtimeCallOutcome Outcome(SimulatorCallResult result) =>
        result.Succeeded ? RealtimeCallOutcome.Ok(result.Status) : RealtimeCallOutcome.Failed(result.Status, result.Error ?? "refused");

    private sealed class Connector(SimulatorCalls calls, string callId) : IRealtimeConnector
    {
        public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
        {
            if (calls.OpenSideband(callId) is not { } sideband)
            {
                return ValueTask.FromResult(RealtimeConnectResult.Failed(new UpstreamEnd(UpstreamEndReason.Refused, "the call is not live (HTTP 404)", HttpStatus: 404)));
            }

#pragma warning disable CA2000 // Ownership moves to the caller with the result.
            return ValueTask.FromResult(RealtimeConnectResult.Connected(new SimulatorCallsConnection(sideband)));
#pragma warning restore CA2000
        }
    }
}
