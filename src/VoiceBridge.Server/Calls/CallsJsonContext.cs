using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Calls;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LiveCallSummary>))]
[JsonSerializable(typeof(InstructionsRequest))]
[JsonSerializable(typeof(SayRequest))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(OutboundRequest))]
[JsonSerializable(typeof(ControlResult))]
[JsonSerializable(typeof(OutboundResult))]
internal sealed partial class CallsJsonContext : JsonSerializerContext;
