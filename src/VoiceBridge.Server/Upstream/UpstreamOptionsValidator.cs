using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Upstream;

/// <summary>Source-generated DataAnnotations validation of <see cref="UpstreamOptions"/> (no reflection at startup).</summary>
[OptionsValidator]
internal sealed partial class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>;
