using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>Wraps the server's upstream connector to count the upstream sessions it opens.</summary>
internal sealed class CountingConnector(IRealtimeConnector inner) : IRealtimeConnector
{
    private int _connects;

    public int Connects => Volatile.Read(ref _connects);

    public ValueTask<RealtimeConnectResult> ConnectAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connects);
        return inner.ConnectAsync(cancellationToken);
    }
}
