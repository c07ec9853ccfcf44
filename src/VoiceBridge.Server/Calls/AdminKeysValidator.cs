using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Admin keys read every transcript and can hang up any call: each must be at least <see cref="MinimumLength"/>
/// characters (a 128-bit random key in hex), so guessing is hopeless even before the throttle. Names the key, never its value.
/// </summary>
internal sealed class AdminKeysValidator : IValidateOptions<AuditOptions>
{
    public const int MinimumLength = 32;

    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (var i = 0; i < options.AdminKeys.Count; i++)
        {
            var length = options.AdminKeys[i]?.Length ?? 0;
            if (length is > 0 and < MinimumLength)
            {
                failures.Add($"Audit:AdminKeys:{i} is {length} characters; an admin key needs at least {MinimumLength} (for example `openssl rand -hex 32`).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
