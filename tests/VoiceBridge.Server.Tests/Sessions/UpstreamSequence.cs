using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>Hands out the given upstream sessions in order, one per connect; refuses once they are used up.</summary>
internal sealed class UpstreamSequence(params ScriptedUpstream[] upstreams) : IRealtimeConnector
{
    private readonly Queue<ScriptedUpstream> _next = new(upstreams);
    private readonly List<long> _connectedAt = [];

    public int Connects { get; private set; }

    /// <summary>Timestamps (TimeProvider.System) of the connects that got a session.</summary>
    public IReadOnlyList<long> ConnectedAt => _connectedAt;

    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        Connects++;
        if (!_next.TryDequeue(out var upstream))
        {
            return ValueTask.FromResult(RealtimeConnectResult.Failed(new UpstreamEnd(UpstreamEndReason.ConnectFailed, "connection refused")));
        }

        _connectedAt.Add(TimeProvider.System.GetTimestamp());
        return upstream.ConnectAsync(cancellationToken);
    }
}
