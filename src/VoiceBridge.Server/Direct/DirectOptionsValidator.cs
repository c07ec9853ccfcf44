using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Direct;

/// <summary>DataAnnotations on <see cref="DirectOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class DirectOptionsValidator : IValidateOptions<DirectOptions>;
