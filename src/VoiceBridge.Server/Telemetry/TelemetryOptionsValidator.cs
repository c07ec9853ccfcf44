using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Telemetry;

/// <summary>Source-generated DataAnnotations validation of <see cref="TelemetryOptions"/> (no reflection at startup).</summary>
[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
