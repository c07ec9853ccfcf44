using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>Source-generated DataAnnotations validation of <see cref="AuditOptions"/> (no reflection at startup).</summary>
[OptionsValidator]
internal sealed partial class AuditOptionsValidator : IValidateOptions<AuditOptions>;
