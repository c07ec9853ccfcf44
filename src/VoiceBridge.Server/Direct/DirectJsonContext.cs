using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Direct;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IncomingCallEvent))]
internal sealed partial class DirectJsonContext : JsonSerializerContext;
