using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// Configuration section <c>Ops</c>: the live operations dashboard (<c>/ops</c>). Who may open it is
/// <c>Audit:AdminKeys</c> (operators: watch and act) and <c>Audit:ViewerKeys</c> (watch only).
/// </summary>
internal sealed class OpsOptions
{
    public const string SectionName = "Ops";

    /// <summary>Off: no page, no hub, and calls are not observed for it (nothing of it costs a cycle).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often changes are sent: every call's updates are coalesced to at most one per interval (4 a second by
    /// default), so hundreds of calls do not flood dozens of viewers, and an event reaches them within about this long.
    /// </summary>
    [Range(50, 5_000, ErrorMessage = "Ops:UpdateIntervalMs must be between 50 and 5000.")]
    public int UpdateIntervalMs { get; set; } = 250;

    /// <summary>
    /// How often the whole state (every call, the instance's charts) is sent again: what a viewer connected to another
    /// instance (behind a shared backplane) learns this instance's calls from, and what heals a viewer that missed updates.
    /// </summary>
    [Range(1, 300, ErrorMessage = "Ops:KeyframeSeconds must be between 1 and 300.")]
    public int KeyframeSeconds { get; set; } = 5;

    /// <summary>One point of the instance's charts per this many seconds.</summary>
    [Range(1, 60, ErrorMessage = "Ops:SampleSeconds must be between 1 and 60.")]
    public int SampleSeconds { get; set; } = 2;

    /// <summary>How far back the instance's charts go.</summary>
    [Range(1, 120, ErrorMessage = "Ops:HistoryMinutes must be between 1 and 120.")]
    public int HistoryMinutes { get; set; } = 5;

    /// <summary>How long an ended call stays on the page, with its end reason and links to its transcript, trail and recording.</summary>
    [Range(0, 1440, ErrorMessage = "Ops:EndedRetentionMinutes must be between 0 and 1440.")]
    public int EndedRetentionMinutes { get; set; } = 15;

    /// <summary>At most this many ended calls are kept on the page (the most recent).</summary>
    [Range(0, 100_000, ErrorMessage = "Ops:MaxEndedCalls must be between 0 and 100000.")]
    public int MaxEndedCalls { get; set; } = 500;

    /// <summary>Dashboard connections this instance holds at once (beyond it a new one gets 503); added on top of the call sockets' cap.</summary>
    [Range(1, 10_000, ErrorMessage = "Ops:MaxViewers must be between 1 and 10000.")]
    public int MaxViewers { get; set; } = 100;

    /// <summary>How long a login lasts (the session cookie's lifetime; an open page is disconnected when it runs out).</summary>
    [Range(1, 720, ErrorMessage = "Ops:SessionHours must be between 1 and 720.")]
    public int SessionHours { get; set; } = 12;

    /// <summary>This instance's name on the page; default the machine's name (a container's is its hostname).</summary>
    [MaxLength(100, ErrorMessage = "Ops:InstanceName must be at most 100 characters.")]
    public string? InstanceName { get; set; }
}
