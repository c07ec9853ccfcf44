using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VoiceBridge.Server.Cluster;

/// <summary>Readiness: unhealthy while Redis is unreachable (no token can be checked, no call listed).</summary>
internal sealed class RedisHealthCheck(ClusterRedis redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Cluster:Redis unreachable"));
}
