namespace VoiceBridge.Server.Core;

/// <summary>A call's reconnect policy: a snapshot of the <c>Session</c> options it needs.</summary>
internal sealed record UpstreamReconnect
{
    public TimeSpan SessionLimit { get; init; } = TimeSpan.FromMinutes(58);

    public int Attempts { get; init; } = 3;

    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a new session has to confirm the call's session.update before the attempt counts as failed.</summary>
    public TimeSpan SettleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static UpstreamReconnect From(SessionOptions options) => new()
    {
        SessionLimit = options.UpstreamSessionLimit,
        Attempts = options.ReconnectAttempts,
        Backoff = options.ReconnectBackoff,
        SettleTimeout = options.SettleTimeout,
    };

    /// <summary>The wait before attempt <paramref name="attempt"/> (1-based): none, then Backoff, 2×Backoff, 4×…</summary>
    public TimeSpan DelayBefore(int attempt) => attempt <= 1 ? TimeSpan.Zero : Backoff * Math.Pow(2, attempt - 2);
}
