using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Calls;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LiveCallSummary>))]
internal sealed partial class CallsJsonContext : JsonSerializerContext;
