using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Shutdown;

/// <summary>Configuration section <c>Shutdown</c>: how a SIGTERM is handled.</summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long live calls may go on after SIGTERM before they are closed (1001 "server shutting down"). Readiness
    /// fails and new calls are refused at once. Keep it under the orchestrator's grace period (Kubernetes:
    /// terminationGracePeriodSeconds, 30 s by default) minus <see cref="CloseSeconds"/>.
    /// </summary>
    [Range(0, 3600)]
    public int DrainSeconds { get; set; } = 20;

    /// <summary>After the drain, how long the closing handshakes and the audit flush get before the host gives up.</summary>
    [Range(1, 300)]
    public int CloseSeconds { get; set; } = 8;
}
