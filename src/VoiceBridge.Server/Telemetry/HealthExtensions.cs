using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VoiceBridge.Server.Telemetry;

internal static class HealthExtensions
{
    private const string LiveTag = "live";

    /// <summary>
    /// Tag of the checks that make up readiness (<c>/readyz</c>): each feature that can make this instance unfit for new
    /// calls (upstream, audit sink, draining) registers a check with this tag.
    /// </summary>
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LiveTag]);
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        // Liveness answers as long as the process can serve a request; it never depends on the
        // upstream or the audit sink, so an orchestrator does not restart a bridge that is merely not ready.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });

        // Readiness: a load balancer stops sending new calls here while any ready check fails (503).
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return app;
    }
}
