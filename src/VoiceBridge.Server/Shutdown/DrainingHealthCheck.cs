using Microsoft.Extensions.Diagnostics.HealthChecks;
using VoiceBridge.Server.Admission;

namespace VoiceBridge.Server.Shutdown;

/// <summary>Readiness: unhealthy from the moment shutdown begins, so the load balancer sends new calls elsewhere.</summary>
internal sealed class DrainingHealthCheck(CallAdmission admission) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(admission.IsDraining ? HealthCheckResult.Unhealthy("draining: the server is shutting down") : HealthCheckResult.Healthy());
}
