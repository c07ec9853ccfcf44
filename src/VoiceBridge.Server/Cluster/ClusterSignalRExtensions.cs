using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace VoiceBridge.Server.Cluster;

/// <summary>The SignalR backplane for hubs of the host (the operations dashboard): every instance's messages reach every viewer.</summary>
internal static class ClusterSignalRExtensions
{
    /// <summary>
    /// With <c>Cluster:Redis</c>, routes this host's hub messages through Redis (Microsoft.AspNetCore.SignalR.StackExchangeRedis),
    /// so a viewer connected to one instance receives what a hub on another sends; channels under <c>Cluster:KeyPrefix</c>.
    /// Without it, nothing changes: hub messages stay in this process.
    /// </summary>
    public static ISignalRServerBuilder AddClusterBackplane(this ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(signalR);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(ClusterOptions.SectionName);
        var redis = section[nameof(ClusterOptions.Redis)];
        if (string.IsNullOrWhiteSpace(redis))
        {
            return signalR;
        }

        var prefix = section[nameof(ClusterOptions.KeyPrefix)] is { Length: > 0 } configured ? configured : new ClusterOptions().KeyPrefix;
        return signalR.AddStackExchangeRedis(redis, options =>
        {
            options.Configuration.ChannelPrefix = RedisChannel.Literal(prefix + "signalr:");
            // Like the instance's own connection: start without Redis, reconnect when it returns.
            options.Configuration.AbortOnConnectFail = false;
        });
    }
}
