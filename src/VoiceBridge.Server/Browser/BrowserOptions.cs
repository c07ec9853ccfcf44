using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Browser;

/// <summary>Configuration section <c>Browser</c>: the OpenAI-Realtime-compatible endpoint for browsers and SDK clients.</summary>
internal sealed class BrowserOptions
{
    public const string SectionName = "Browser";

    /// <summary>
    /// What a client's session.update may change when <see cref="ClientMayChange"/> is not configured: how the
    /// client hears and is heard, never what the model is told or may do (instructions, tools, model stay server-side).
    /// </summary>
    public const string DefaultClientMayChange =
        "audio.output.voice,audio.output.speed,audio.input.turn_detection,audio.input.transcription,audio.input.noise_reduction";

    /// <summary>Turns <c>/v1/realtime</c> and <c>/v1/realtime/client_secrets</c> off.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Bridge API keys accepted by <c>POST /v1/realtime/client_secrets</c> (Bearer). Empty: no token can be minted.</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// Browser origins allowed to open <c>/v1/realtime</c> (exact, e.g. <c>https://app.example.com</c>). A request
    /// carrying any other Origin is refused; requests without Origin (server-side SDKs) are allowed.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>
    /// Comma-separated session paths a client's session.update may change (a path also covers everything under it).
    /// The same entry lets a client's response.create override that field for one response; <c>response.input</c> and
    /// <c>response.conversation</c> allow out-of-band responses. A string, not a list: configuration binding appends a
    /// bound list to its defaults instead of replacing them. Empty: nothing but the audio formats.
    /// </summary>
    public string ClientMayChange { get; set; } = DefaultClientMayChange;

    /// <summary>Whether server-side tool definitions are shown to clients in session.created/updated (default hidden).</summary>
    public bool ExposeTools { get; set; }

    /// <summary>Default client token lifetime; a mint request may ask for 10–7200 s like OpenAI's.</summary>
    [Range(10, 7200)]
    public int TokenLifetimeSeconds { get; set; } = 600;

    /// <summary>Key material for client tokens shared by several instances; random per process when unset.</summary>
    public string? TokenSecret { get; set; }

    /// <summary>
    /// Largest client message. 1 MiB of JSON carries ~5 s of 48 kHz PCM16 per append; OpenAI allows 15 MiB per
    /// append (docs/protocols/openai-realtime.md#session-lifetime-and-limits), which no live client needs.
    /// </summary>
    [Range(4 * 1024, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Appends per second per connection; browsers send 10–50 (20–100 ms chunks).</summary>
    [Range(1, 10_000)]
    public int MaxAppendsPerSecond { get; set; } = 200;

    /// <summary>Messages queued for a client before it counts as not reading and is closed.</summary>
    [Range(16, 65_536)]
    public int SendQueueCapacity { get; set; } = 2048;

    /// <summary>
    /// Serves the demo page (wwwroot) at <c>/</c> and its token endpoint <see cref="BrowserUrls.DemoTokenPath"/>, which
    /// mints client tokens without a bridge API key, and lets that page's own origin connect to <c>/v1/realtime</c>.
    /// Default: on in the Development environment only (set in <see cref="BrowserExtensions.AddBrowser"/>); never turn
    /// it on where strangers can reach the server.
    /// </summary>
    public bool DemoPage { get; set; }

    /// <summary>The parsed <see cref="ClientMayChange"/>.</summary>
    public IReadOnlySet<string> ClientMayChangePaths() =>
        ClientMayChange.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}
