using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Tools;

/// <summary>DataAnnotations and the cross-key rules of <see cref="ToolsOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class ToolsOptionsValidator : IValidateOptions<ToolsOptions>;
