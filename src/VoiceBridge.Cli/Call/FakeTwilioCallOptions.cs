namespace VoiceBridge.Cli.Call;

/// <summary>What one fake Twilio call does: which server, how it signs, who calls whom, and what the caller says.</summary>
public sealed record FakeTwilioCallOptions
{
    /// <summary>The bridge's base URL (http or https); the webhook goes to <c>{ServerUrl}/twilio/voice</c>.</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>The caller's audio: μ-law 8 kHz, sent as 20 ms frames in real time, then <see cref="Tail"/> of silence.</summary>
    public ReadOnlyMemory<byte> CallerAudio { get; init; }

    /// <summary>Silence sent after the caller's audio so the reply can play before hanging up.</summary>
    public TimeSpan Tail { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The auth token requests are signed with; null sends no <c>X-Twilio-Signature</c> (a server in Development).</summary>
    public string? AuthToken { get; init; }

    public string From { get; init; } = "+14155550100";

    public string To { get; init; } = "+15005550006";

    /// <summary>Null: a fresh <c>CA</c> + 32 hex for every call, as Twilio does.</summary>
    public string? CallSid { get; init; }

    public string AccountSid { get; init; } = "AC0123456789abcdef0123456789abcdef";

    /// <summary>For negative tests: sent on the Media Streams upgrade instead of the correct signature.</summary>
    public string? StreamSignatureOverride { get; init; }

    /// <summary>
    /// Keep what the caller heard (8 kHz μ-law, one byte per 125 µs of the call) and every payload it received; off
    /// saves memory in load runs.
    /// </summary>
    public bool RecordHeard { get; init; } = true;

    /// <summary>
    /// Jitter buffer: when audio arrives to an empty queue, playback waits this long before starting, so a bridge
    /// that streams at play speed with some jitter plays without gaps. Twilio's own buffering is not documented
    /// (docs/protocols/twilio-media-streams.md#frames-timing-and-closing); zero plays at the next 20 ms period, which
    /// is the strictest caller.
    /// </summary>
    public TimeSpan PlayoutDelay { get; init; }

    /// <summary>Hooks for the load tool (timestamps, pairing with the upstream session); null for a plain call.</summary>
    public FakeTwilioCallObserver? Observer { get; init; }

    /// <summary>
    /// Open a <c>wss://</c> stream URL on a loopback host as plain <c>ws://</c> (same host, port and path; the
    /// signature still covers the URL as written). For bridges served without TLS on loopback that write
    /// <c>wss://&lt;Host&gt;/…</c> into their TwiML regardless, such as Twilio's Node sample. Other hosts are never
    /// downgraded.
    /// </summary>
    public bool PlainWebSocketOnLoopback { get; init; }

    /// <summary>Limit for the webhook, the WebSocket handshake and the closing handshake each.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
