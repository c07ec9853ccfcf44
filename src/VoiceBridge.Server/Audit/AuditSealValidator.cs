using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// Secure by default: outside Development the server does not start without <c>Audit:SigningKey</c>, because an
/// unsealed trail can be rewritten, cut or deleted by anyone who can write the audit directory, with nothing to show
/// for it. Development stays unsealed (with a warning at start) rather than inventing a key: trails sealed with a
/// key that dies with the process could never be verified afterwards.
/// </summary>
internal sealed class AuditSealValidator(IHostEnvironment environment) : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.SigningKey) && !environment.IsDevelopment())
        {
            return ValidateOptionsResult.Fail(
                "Audit:SigningKey is required outside Development (base64, at least 32 bytes: `voicebridge audit new-key`); "
                + "it seals every audit trail so a rewrite, a cut or a deleted file is detected (docs/security-audit.md).");
        }

        return ValidateOptionsResult.Success;
    }
}
