using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Browser;

/// <summary>DataAnnotations on <see cref="BrowserOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class BrowserOptionsValidator : IValidateOptions<BrowserOptions>;
