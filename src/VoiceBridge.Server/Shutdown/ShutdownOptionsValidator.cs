using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Shutdown;

/// <summary>DataAnnotations on <see cref="ShutdownOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>;
