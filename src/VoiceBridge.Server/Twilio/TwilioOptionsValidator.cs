using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Twilio;

/// <summary>DataAnnotations on <see cref="TwilioOptions"/>, checked by generated code at startup.</summary>
[OptionsValidator]
internal sealed partial class TwilioOptionsValidator : IValidateOptions<TwilioOptions>;
