using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Core;

/// <summary>DataAnnotations and the cross-key rule of <see cref="SessionOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class SessionOptionsValidator : IValidateOptions<SessionOptions>;
