using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Sessions;

/// <summary>DataAnnotations on <see cref="SessionOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class SessionOptionsValidator : IValidateOptions<SessionOptions>;
