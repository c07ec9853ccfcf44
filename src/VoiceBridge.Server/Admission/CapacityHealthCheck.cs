using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

using SessionOptions = VoiceBridge.Server.Core.SessionOptions;

namespace VoiceBridge.Server.Admission;

/// <summary>
/// Readiness while several instances share a load balancer: unhealthy while <c>Session:MaxConcurrentCalls</c> calls are
/// live, so new calls go to an instance with room. Registered by the cluster only: a lone instance that reported itself
/// unready when full would leave its balancer with nowhere to send the call, where its busy answer is kinder.
/// </summary>
internal sealed class CapacityHealthCheck(CallAdmission admission, IOptions<SessionOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(admission.Active >= options.Value.MaxConcurrentCalls
            ? HealthCheckResult.Unhealthy($"full: {admission.Active} of Session:MaxConcurrentCalls {options.Value.MaxConcurrentCalls} calls live")
            : HealthCheckResult.Healthy());
}
