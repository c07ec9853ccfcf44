using System.ComponentModel.DataAnnotations;

namespace VoiceBridge.Server.Sessions;

/// <summary>Configuration section <c>Session</c>: per-instance call limits.</summary>
internal sealed class SessionOptions
{
    public const string SectionName = "Session";

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
}
