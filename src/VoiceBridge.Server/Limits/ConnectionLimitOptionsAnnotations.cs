using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Limits;

/// <summary>DataAnnotations on <see cref="ConnectionLimitOptions"/>, checked by generated code.</summary>
[OptionsValidator]
internal sealed partial class ConnectionLimitOptionsAnnotations : IValidateOptions<ConnectionLimitOptions>;
