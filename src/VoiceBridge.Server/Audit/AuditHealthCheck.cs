using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VoiceBridge.Server.Audit;

/// <summary>Readiness: unhealthy while the audit writer is behind or the sink is failing (new calls are refused then).</summary>
internal sealed class AuditHealthCheck(AuditTrail trail) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(trail.NotAcceptingReason is { } reason ? HealthCheckResult.Unhealthy(reason) : HealthCheckResult.Healthy());
}
