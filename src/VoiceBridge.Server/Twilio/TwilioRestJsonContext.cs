using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Twilio;

/// <summary>Source-generated JSON for Twilio REST answers (snake_case, like Twilio's API).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, MaxDepth = 16)]
[JsonSerializable(typeof(TwilioCallResource))]
internal sealed partial class TwilioRestJsonContext : JsonSerializerContext;
