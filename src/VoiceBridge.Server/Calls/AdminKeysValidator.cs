using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Admin keys read every transcript and can hang up any call; viewer keys watch every call on the operations dashboard.
/// Each must be at least <see cref="MinimumLength"/> characters (a 128-bit random key in hex), so guessing is hopeless
/// even before the throttle, and no key may be both (which role would it have?). Names the key, never its value.
/// </summary>
internal sealed class AdminKeysValidator : IValidateOptions<AuditOptions>
{
    public const int MinimumLength = 32;

    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Check(options.AdminKeys, nameof(AuditOptions.AdminKeys), "an admin key", failures);
        Check(options.ViewerKeys, nameof(AuditOptions.ViewerKeys), "a viewer key", failures);
        for (var i = 0; i < options.ViewerKeys.Count; i++)
        {
            if (!string.IsNullOrEmpty(options.ViewerKeys[i]) && options.AdminKeys.Contains(options.ViewerKeys[i], StringComparer.Ordinal))
            {
                failures.Add($"Audit:ViewerKeys:{i} is also an admin key; a key is either an operator's or a viewer's.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(IList<string> keys, string setting, string what, List<string> failures)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var length = keys[i]?.Length ?? 0;
            if (length is > 0 and < MinimumLength)
            {
                failures.Add($"Audit:{setting}:{i} is {length} characters; {what} needs at least {MinimumLength} (for example `openssl rand -hex 32`).");
            }
        }
    }
}
