using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace VoiceBridge.Server.Calls;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IReadOnlyList<LiveCallSummary>))]
[JsonSerializable(typeof(InstructionsRequest))]
[JsonSerializable(typeof(SayRequest))]
[JsonSerializable(typeof(TransferRequest))]
[JsonSerializable(typeof(OutboundRequest))]
[JsonSerializable(typeof(ControlResult))]
[JsonSerializable(typeof(OutboundResult))]
// The admin API's errors are RFC 7807 problem details (Results.Problem); reflection-based JSON is off in the app.
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class CallsJsonContext : JsonSerializerContext;
