using StackExchange.Redis;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// Keeps this instance's calls in the shared directory: each call's observer writes its entry when the call starts
/// (refusing a call id already live on another instance) and removes it at the end; between the two, every third of
/// <c>Cluster:DirectoryTtlSeconds</c>, all of this instance's entries are refreshed in one round trip (with their state).
/// After Redis was away the refresh writes them back, so the directory recovers with the connection.
/// </summary>
internal sealed partial class DirectoryKeeper(
    RedisCallDirectory directory,
    ClusterRedis redis,
    CallRegistry registry,
    TimeProvider time,
    ILogger<DirectoryKeeper> logger) : BackgroundService, ICallObserverFactory
{
    private int _refreshFailing;

    public ICallObserver Create(ILiveCall call, string transport, string upstreamAudio) => new DirectoryEntryObserver(this, call);

    /// <summary>The call has its id: into the directory (awaited by nothing: the call's task does not wait on Redis).</summary>
    internal async Task RegisterAsync(ILiveCall call, CallStarted started)
    {
        var entry = new DirectoryEntry
        {
            CallId = started.CallId,
            Instance = directory.InstanceId,
            Transport = started.Transport,
            Started = registry.StartedAt(call) ?? time.GetUtcNow(),
            Caller = started.Caller,
            State = call.State,
        };
        try
        {
            if (await directory.RegisterAsync(entry, CancellationToken.None).ConfigureAwait(false) is { } owner)
            {
                // One live call per id across the cluster, as within one instance (a replayed webhook's second stream).
                LogAlreadyLive(logger, started.CallId, owner);
                call.Stop(CallEndReason.PolicyViolation, "call already live on instance " + owner);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            // The refresh writes it once Redis answers again.
            LogWriteFailed(logger, started.CallId, ex.Message);
        }
    }

    internal async ValueTask RemoveAsync(string callId)
    {
        if (!redis.IsConnected)
        {
            // The entry expires by itself; the call's end does not wait for a Redis that is away.
            return;
        }

        try
        {
            await directory.RemoveAsync(callId).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            LogWriteFailed(logger, callId, ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(redis.Options.DirectoryTtl / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await RefreshAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RefreshAsync()
    {
        var entries = new List<DirectoryEntry>();
        foreach (var (call, started) in registry.Snapshot())
        {
            if (LocalCallDirectory.ToEntry(call, started, directory.InstanceId) is { } entry)
            {
                entries.Add(entry);
            }
        }

        try
        {
            await directory.RefreshAsync(entries).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _refreshFailing, 0) == 1)
            {
                LogRefreshRecovered(logger, entries.Count);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            if (Interlocked.Exchange(ref _refreshFailing, 1) == 0)
            {
                LogRefreshFailed(logger, entries.Count, ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 1830, Level = LogLevel.Warning, Message = "Cluster: call {CallId} is already live on instance {Owner}; this stream is refused")]
    private static partial void LogAlreadyLive(ILogger logger, string callId, string owner);

    [LoggerMessage(EventId = 1831, Level = LogLevel.Warning, Message = "Cluster: directory entry of call {CallId} not written ({Reason})")]
    private static partial void LogWriteFailed(ILogger logger, string callId, string reason);

    [LoggerMessage(EventId = 1832, Level = LogLevel.Warning, Message = "Cluster: the directory refresh of {Calls} calls failed ({Reason}); retrying every tick")]
    private static partial void LogRefreshFailed(ILogger logger, int calls, string reason);

    [LoggerMessage(EventId = 1833, Level = LogLevel.Information, Message = "Cluster: the directory refresh works again ({Calls} calls written)")]
    private static partial void LogRefreshRecovered(ILogger logger, int calls);
}
