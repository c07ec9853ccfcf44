using System.ComponentModel.DataAnnotations;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Sessions;

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
}
