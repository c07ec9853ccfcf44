using System.Text.Json;
using StackExchange.Redis;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// The live calls of every instance, in Redis. Each call is a hash <c>{prefix}call:{id}</c> (its owner and its entry as
/// JSON) that expires <c>Cluster:DirectoryTtlSeconds</c> after its owner last refreshed it, and a member of the sorted set
/// <c>{prefix}calls</c> scored by that expiry, which is what listing walks. The owner writes, refreshes (every third of
/// the expiry, <see cref="DirectoryKeeper"/>) and removes its own entries; a killed instance's entries expire.
/// </summary>
internal sealed partial class RedisCallDirectory(ClusterRedis redis, TimeProvider time, ILogger<RedisCallDirectory> logger) : ICallDirectory
{
    // Claims the call for this instance unless another owns it (then answers that owner), writes the entry, sets the
    // expiry, indexes it. Idempotent for the owner, so the refresh is the same script.
    private static readonly LuaScript s_register = LuaScript.Prepare("""
        local owner = redis.call('HGET', @call, 'instance')
        if owner and owner ~= @instance then return owner end
        redis.call('HSET', @call, 'instance', @instance, 'entry', @entry)
        redis.call('PEXPIRE', @call, @ttl)
        redis.call('ZADD', @index, @expires, @id)
        return false
        """);

    // Only the owner removes its entry.
    private static readonly LuaScript s_remove = LuaScript.Prepare("""
        if redis.call('HGET', @call, 'instance') == @instance then
          redis.call('DEL', @call)
          redis.call('ZREM', @index, @id)
        end
        return 1
        """);

    public string InstanceId => redis.InstanceId;

    public async Task<IReadOnlyList<DirectoryEntry>?> ListAsync(CancellationToken cancellationToken)
    {
        try
        {
            var database = redis.Database;
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var ids = await database.SortedSetRangeByScoreAsync(redis.Key("calls"), now, double.PositiveInfinity).ConfigureAwait(false);
            var batch = database.CreateBatch();
            var reads = new Task<RedisValue>[ids.Length];
            for (var i = 0; i < ids.Length; i++)
            {
                reads[i] = batch.HashGetAsync(redis.Key("call:" + ids[i]), "entry");
            }

            batch.Execute();
            var entries = new List<DirectoryEntry>(ids.Length);
            foreach (var read in reads)
            {
                // An entry that expired between the two reads is gone: its owner stopped refreshing it.
                if (Parse(await read.ConfigureAwait(false)) is { } entry)
                {
                    entries.Add(entry);
                }
            }

            return entries;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            LogUnreadable(logger, ex.Message);
            return null;
        }
    }

    public async Task<DirectoryEntry?> FindAsync(string callId, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(await redis.Database.HashGetAsync(redis.Key("call:" + callId), "entry").ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            LogUnreadable(logger, ex.Message);
            return null;
        }
    }

    /// <summary>Writes (or refreshes) this instance's entry; returns the other owner when the call id is already live elsewhere.</summary>
    public async Task<string?> RegisterAsync(DirectoryEntry entry, CancellationToken cancellationToken)
    {
        var ttl = redis.Options.DirectoryTtl;
        var result = await redis.Database.ScriptEvaluateAsync(s_register, new
        {
            call = redis.Key("call:" + entry.CallId),
            index = redis.Key("calls"),
            instance = InstanceId,
            entry = JsonSerializer.Serialize(entry, ClusterJsonContext.Default.DirectoryEntry),
            ttl = (long)ttl.TotalMilliseconds,
            expires = time.GetUtcNow().Add(ttl).ToUnixTimeMilliseconds(),
            id = entry.CallId,
        }).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    /// <summary>Writes (or refreshes) several entries in one round trip; a failure is the caller's to log.</summary>
    public async Task RefreshAsync(IReadOnlyList<DirectoryEntry> entries)
    {
        var database = redis.Database;
        var ttl = redis.Options.DirectoryTtl;
        var expires = time.GetUtcNow().Add(ttl).ToUnixTimeMilliseconds();
        var batch = database.CreateBatch();
        var writes = new List<Task>(entries.Count + 1);
        foreach (var entry in entries)
        {
            writes.Add(batch.ScriptEvaluateAsync(s_register, new
            {
                call = redis.Key("call:" + entry.CallId),
                index = redis.Key("calls"),
                instance = InstanceId,
                entry = JsonSerializer.Serialize(entry, ClusterJsonContext.Default.DirectoryEntry),
                ttl = (long)ttl.TotalMilliseconds,
                expires,
                id = entry.CallId,
            }));
        }

        // Index members of entries that expired a while ago (a killed instance's calls) are dropped on the way.
        writes.Add(batch.SortedSetRemoveRangeByScoreAsync(redis.Key("calls"), double.NegativeInfinity, time.GetUtcNow().Subtract(ttl).ToUnixTimeMilliseconds()));
        batch.Execute();
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string callId) =>
        await redis.Database.ScriptEvaluateAsync(s_remove, new { call = redis.Key("call:" + callId), index = redis.Key("calls"), instance = InstanceId, id = callId }).ConfigureAwait(false);

    private static DirectoryEntry? Parse(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize((string)value!, ClusterJsonContext.Default.DirectoryEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1820, Level = LogLevel.Warning, Message = "Cluster: the call directory in Redis could not be read ({Reason})")]
    private static partial void LogUnreadable(ILogger logger, string reason);
}
