using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Limits;

/// <summary>DataAnnotations on <see cref="RateLimitOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;
