using System.Text;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>How to reach the upstream and how the connection behaves. A snapshot; the host builds it from configuration.</summary>
public sealed record UpstreamSettings
{
    /// <summary>The model id the server uses when none is configured.</summary>
    public const string DefaultModel = "gpt-realtime";

    /// <summary>
    /// 16 MiB: one <c>input_audio_buffer.append</c> may carry up to 15 MiB of base64 audio (OpenAI Realtime GA
    /// reference, docs/protocols/openai-realtime.md#session-lifetime-and-limits), so a cap just above it never rejects
    /// a legal event and still bounds a hostile peer.
    /// </summary>
    public const int DefaultMaxMessageBytes = 16 * 1024 * 1024;

    public UpstreamProvider Provider { get; init; } = UpstreamProvider.Simulator;

    /// <summary>
    /// For <see cref="UpstreamProvider.AzureOpenAI"/>: the resource URL (<c>https://x.openai.azure.com</c>).
    /// Otherwise: the full URL of any GA-compatible server, used as given (overrides the OpenAI URL).
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The secret; sent only in the handshake header, never logged (excluded from <see cref="ToString"/>).</summary>
    public string? ApiKey { get; init; }

    /// <summary>The model id (OpenAI) or the deployment name (Azure OpenAI).</summary>
    public string Model { get; init; } = DefaultModel;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a WebSocket ping is sent while the session is idle.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a ping may go unanswered before the connection counts as lost.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a clean close (and draining what is queued) may take before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Messages of each kind that may wait behind a write in flight (nothing waits while the socket has room). 256 audio
    /// messages of 20 ms are about 5 s of speech: beyond that, older audio is stale for a live call and is dropped.
    /// </summary>
    public int SendQueueCapacity { get; init; } = 256;

    /// <summary>The largest server event accepted; a bigger one ends the session as a malformed frame.</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>How a direct WebRTC call's offer is posted to <c>…/realtime/calls</c> (Azure reports disagree; both work).</summary>
    public RealtimeCallsAuth CallsAuth { get; init; } = RealtimeCallsAuth.ApiKey;

    /// <summary>Azure only: <c>webrtcfilter=on</c> on <c>…/realtime/calls</c>, so the browser's data channel does not see instructions and tool traffic.</summary>
    public bool WebRtcFilter { get; init; }

    // Records print every property; the key must never reach a log line through ToString.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Provider = ").Append(Provider)
            .Append(", Endpoint = ").Append(Endpoint)
            .Append(", ApiKey = ").Append(string.IsNullOrEmpty(ApiKey) ? "(none)" : "(set)")
            .Append(", Model = ").Append(Model)
            .Append(", ConnectTimeout = ").Append(ConnectTimeout)
            .Append(", KeepAliveInterval = ").Append(KeepAliveInterval)
            .Append(", KeepAliveTimeout = ").Append(KeepAliveTimeout)
            .Append(", CloseTimeout = ").Append(CloseTimeout)
            .Append(", SendQueueCapacity = ").Append(SendQueueCapacity)
            .Append(", MaxMessageBytes = ").Append(MaxMessageBytes)
            .Append(", CallsAuth = ").Append(CallsAuth)
            .Append(", WebRtcFilter = ").Append(WebRtcFilter);
        return true;
    }
}
