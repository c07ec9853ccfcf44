using System.ComponentModel.DataAnnotations;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// Configuration section <c>Cluster</c>: several identical instances behind a load balancer, sharing state in Redis.
/// Without <see cref="Redis"/> the section is ignored and the instance runs alone, in memory (docs/scale-out.md).
/// </summary>
internal sealed class ClusterOptions
{
    public const string SectionName = "Cluster";

    /// <summary>
    /// A StackExchange.Redis connection string (<c>redis:6379,password=…,ssl=true</c>). Setting it switches the shared
    /// mode on: single-use nonces, the live-call directory, control routing, outbound instructions and the SignalR
    /// backplane live in this Redis. Never logged.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>This instance's name in the directory; default: the host name (the pod's name) and the process id.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,100}$", ErrorMessage = "Cluster:InstanceId must be 1–100 letters, digits, '.', '_' or '-'.")]
    public string? InstanceId { get; set; }

    /// <summary>Prefix of every Redis key and channel, so several deployments can share one Redis.</summary>
    [RegularExpression("^[A-Za-z0-9._:-]{1,64}$", ErrorMessage = "Cluster:KeyPrefix must be 1–64 letters, digits, '.', '_', ':' or '-'.")]
    public string KeyPrefix { get; set; } = "voicebridge:";

    /// <summary>
    /// How long a directory entry outlives its last refresh (refreshed every third of it while the call lives): the
    /// longest a killed instance's calls stay listed.
    /// </summary>
    [KeyedRange(3, 300, ErrorMessage = "Cluster:DirectoryTtlSeconds must be between 3 and 300.")]
    public int DirectoryTtlSeconds { get; set; } = 15;

    /// <summary>How long a control action sent to another instance waits for its answer (504 after).</summary>
    [KeyedRange(100, 60_000, ErrorMessage = "Cluster:ControlTimeoutMs must be between 100 and 60000.")]
    public int ControlTimeoutMs { get; set; } = 5_000;

    /// <summary>True when <see cref="Redis"/> is set.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Redis);

    public TimeSpan DirectoryTtl => TimeSpan.FromSeconds(DirectoryTtlSeconds);
}
