using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// The instance's one connection to Redis (a multiplexer: every command and subscription shares it). Opened when the
/// host starts without waiting for Redis to answer (<c>AbortOnConnectFail=false</c>), so an instance whose Redis is
/// down starts not ready instead of failing, and reconnects by itself; while it is down the instance keeps its live
/// calls and refuses new ones (<see cref="RedisAdmissionCheck"/>, <see cref="RedisHealthCheck"/>).
/// </summary>
internal sealed partial class ClusterRedis(IOptions<ClusterOptions> options, ILogger<ClusterRedis> logger) : IHostedService, IAsyncDisposable
{
    private readonly ClusterOptions _options = options.Value;
    private ConnectionMultiplexer? _connection;

    /// <summary>This instance's name in the directory and on the control channels.</summary>
    public string InstanceId => _options.InstanceId!;

    public ClusterOptions Options => _options;

    /// <summary>True while Redis is reachable.</summary>
    public bool IsConnected => _connection?.IsConnected == true;

    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Cluster:Redis is not connected yet (the host has not started).");

    public IDatabase Database => Connection.GetDatabase();

    /// <summary>A key under <c>Cluster:KeyPrefix</c>.</summary>
    public RedisKey Key(string name) => _options.KeyPrefix + name;

    /// <summary>A pub/sub channel under <c>Cluster:KeyPrefix</c>.</summary>
    public RedisChannel Channel(string name) => RedisChannel.Literal(_options.KeyPrefix + name);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(_options.Redis!);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "voicebridge-" + InstanceId;
        // Commands fail fast while Redis is away instead of queuing behind a long timeout: a call's setup waits on them.
        configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, 2000);
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 2000);
        _connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        _connection.ConnectionFailed += (_, e) => LogConnectionLost(logger, e.FailureType);
        _connection.ConnectionRestored += (_, e) => LogConnectionRestored(logger, e.ConnectionType);
        if (_connection.IsConnected)
        {
            LogConnected(logger, InstanceId);
        }
        else
        {
            LogNotConnected(logger, InstanceId);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "Cluster: instance {Instance} connected to Redis")]
    private static partial void LogConnected(ILogger logger, string instance);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Cluster: instance {Instance} cannot reach Redis (Cluster:Redis); not ready, new calls refused, retrying")]
    private static partial void LogNotConnected(ILogger logger, string instance);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Cluster: Redis connection lost ({Failure}); live calls go on, new calls are refused until it returns")]
    private static partial void LogConnectionLost(ILogger logger, ConnectionFailureType failure);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Information, Message = "Cluster: Redis connection restored ({Connection})")]
    private static partial void LogConnectionRestored(ILogger logger, ConnectionType connection);
}
