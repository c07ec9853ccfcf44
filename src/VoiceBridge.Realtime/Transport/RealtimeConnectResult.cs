namespace VoiceBridge.Realtime.Transport;

/// <summary>An open connection, or the reason none could be opened.</summary>
public readonly record struct RealtimeConnectResult
{
    private RealtimeConnectResult(IRealtimeConnection? connection, UpstreamEnd? failure)
    {
        Connection = connection;
        Failure = failure;
    }

    public IRealtimeConnection? Connection { get; }

    public UpstreamEnd? Failure { get; }

    public bool IsConnected => Connection is not null;

    public static RealtimeConnectResult Connected(IRealtimeConnection connection) => new(connection, null);

    public static RealtimeConnectResult Failed(UpstreamEnd failure) => new(null, failure);
}
