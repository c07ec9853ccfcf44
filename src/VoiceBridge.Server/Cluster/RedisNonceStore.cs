using StackExchange.Redis;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// The replay set shared by every instance: <c>SET {prefix}nonce:{scope}:{nonce} 1 PX {until expiry} NX</c>, atomic in
/// Redis, so exactly one instance sees a nonce first. Redis forgets it when the value would have expired anyway. Any
/// scope works (call tokens, client tokens, a webhook's id).
/// </summary>
internal sealed partial class RedisNonceStore(ClusterRedis redis, TimeProvider time, ILogger<RedisNonceStore> logger) : ISingleUseNonceStore
{
    public async ValueTask<NonceUse> TryUseAsync(string scope, string nonce, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        // At least a second: a value at the edge of its expiry still cannot be replayed within the same second.
        var ttl = expires - time.GetUtcNow();
        if (ttl < TimeSpan.FromSeconds(1))
        {
            ttl = TimeSpan.FromSeconds(1);
        }

        try
        {
            var first = await redis.Database.StringSetAsync(redis.Key("nonce:" + scope + ":" + nonce), 1, ttl, When.NotExists).ConfigureAwait(false);
            return first ? NonceUse.First : NonceUse.Replayed;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or InvalidOperationException)
        {
            LogUnavailable(logger, scope, ex.Message);
            return NonceUse.Unavailable;
        }
    }

    [LoggerMessage(EventId = 1810, Level = LogLevel.Warning, Message = "Cluster: the {Scope} replay set in Redis could not be asked ({Reason}); refused")]
    private static partial void LogUnavailable(ILogger logger, string scope, string reason);
}
