using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Core;

/// <summary>Configuration section <c>Session</c>: how every call behaves, whatever its transport.</summary>
internal sealed class SessionOptions : IValidatableObject
{
    public const string SectionName = "Session";

    /// <summary>Seconds of caller silence (while the bridge waits for the caller) before the assistant prompts once; unset: never.</summary>
    [KeyedRange(1, 3600, ErrorMessage = "Session:IdlePromptSeconds must be between 1 and 3600.")]
    public int? IdlePromptSeconds { get; set; }

    /// <summary>Seconds of caller silence before the assistant says goodbye and ends the call; unset: never.</summary>
    [KeyedRange(1, 3600, ErrorMessage = "Session:IdleHangupSeconds must be between 1 and 3600.")]
    public int? IdleHangupSeconds { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdlePromptSeconds is { } prompt && IdleHangupSeconds is { } hangup && hangup <= prompt)
        {
            yield return new ValidationResult(
                "Session:IdleHangupSeconds must be greater than Session:IdlePromptSeconds (both count from the start of the silence).",
                [nameof(IdleHangupSeconds)]);
        }
    }

    /// <summary>
    /// Live calls (phone and browser together) this instance takes; one more is refused politely (TwiML
    /// <c>&lt;Say&gt;</c> + <c>&lt;Hangup&gt;</c> for phones, 503 for browsers) instead of degrading every call.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConcurrentCalls { get; set; } = 1000;

    /// <summary>What a phone caller hears when the call is refused (at capacity, draining, audit unavailable).</summary>
    [Required]
    [MinLength(1)]
    public string BusyMessage { get; set; } = "Sorry, we cannot take your call right now. Please try again in a few minutes. Goodbye.";

    /// <summary>
    /// How long one upstream session is used before the bridge rotates to a fresh one (at the next pause in the
    /// assistant's speech). OpenAI ends a Realtime session at 60 minutes with no resumption
    /// (docs/protocols/openai-realtime.md#connecting-over-websocket), so the default rotates a little before that, on
    /// the bridge's terms.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UpstreamSessionLimit { get; set; } = TimeSpan.FromMinutes(58);

    /// <summary>
    /// How long the upstream has to confirm the server's <c>session.update</c> (with <c>session.updated</c>) before the call
    /// is turned away; nothing the caller sends is relayed before.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts to open a new upstream session after a drop before the call ends (0 turns reconnecting off).</summary>
    [Range(0, 10)]
    public int ReconnectAttempts { get; set; } = 3;

    /// <summary>Wait before the second attempt; doubled for each further one (the first attempt is immediate).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReconnectBackoff { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Refused caller messages (malformed, binary, unknown events, over the rate) within <see cref="RefusedWindow"/>
    /// after which the caller counts as flooding and is closed with 1008. A working client sends none: Twilio never
    /// does, and a browser client at twice <c>Browser:MaxAppendsPerSecond</c> passes it within a second.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxRefusedMessages { get; set; } = CallerFlood.DefaultMaxRefused;

    /// <summary>The window <see cref="MaxRefusedMessages"/> counts in (fixed windows on the server's clock).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefusedWindow { get; set; } = CallerFlood.DefaultWindow;
}
