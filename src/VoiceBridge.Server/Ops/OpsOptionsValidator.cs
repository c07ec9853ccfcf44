using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Ops;

/// <summary>DataAnnotations on <see cref="OpsOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class OpsOptionsValidator : IValidateOptions<OpsOptions>;
