using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Telemetry;

/// <summary>Readiness of the upstream: the in-process simulator always is; a real provider is unless recent connects all failed.</summary>
internal sealed class UpstreamHealthCheck(UpstreamHealth health, IOptions<UpstreamOptions> upstream) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!upstream.Value.UsesWebSocket)
        {
            return Task.FromResult(HealthCheckResult.Healthy("embedded simulator"));
        }

        return Task.FromResult(health.NotReadyReason() is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy());
    }
}
