using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Twilio;

/// <summary>Source-generated JSON for the Twilio messages read once per call.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, MaxDepth = 8)]
[JsonSerializable(typeof(TwilioStart))]
internal sealed partial class TwilioJsonContext : JsonSerializerContext;
