using StackExchange.Redis;
using VoiceBridge.Server.Calls;

namespace VoiceBridge.Server.Cluster;

/// <summary>Outbound instructions in Redis (<c>{prefix}outbound:{CallSid}</c>, 10 minutes), taken once by whichever instance gets the stream.</summary>
internal sealed partial class RedisOutboundInstructions(ClusterRedis redis, ILogger<RedisOutboundInstructions> logger) : IOutboundInstructions
{
    public async Task AddAsync(string callSid, string instructions, CancellationToken cancellationToken) =>
        await redis.Database.StringSetAsync(redis.Key("outbound:" + callSid), instructions, OutboundCalls.Lifetime).ConfigureAwait(false);

    public async Task<string?> TakeAsync(string callSid, CancellationToken cancellationToken)
    {
        try
        {
            return await redis.Database.StringGetDeleteAsync(redis.Key("outbound:" + callSid)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The call goes on with the default instructions rather than not at all.
            LogUnreadable(logger, callSid, ex.Message);
            return null;
        }
    }

    [LoggerMessage(EventId = 1811, Level = LogLevel.Warning, Message = "Cluster: outbound instructions of call {CallSid} could not be read from Redis ({Reason}); default instructions apply")]
    private static partial void LogUnreadable(ILogger logger, string callSid, string reason);
}
