using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Hosting;

/// <summary>DataAnnotations on <see cref="TrustedProxyOptions"/>, checked by generated code.</summary>
[OptionsValidator]
internal sealed partial class TrustedProxyOptionsAnnotations : IValidateOptions<TrustedProxyOptions>;
