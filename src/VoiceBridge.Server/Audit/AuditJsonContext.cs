using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Audit;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditSessionInfo))]
[JsonSerializable(typeof(BridgeDecision))]
[JsonSerializable(typeof(CallTranscript))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
