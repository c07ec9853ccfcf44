using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Ops;

/// <summary>The dashboard's messages (hub and login), source-generated: the host runs with reflection-based JSON off.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpsCallsUpdate))]
[JsonSerializable(typeof(OpsCallDetail))]
[JsonSerializable(typeof(OpsHello))]
[JsonSerializable(typeof(OpsActionResult))]
[JsonSerializable(typeof(OpsLoginRequest))]
[JsonSerializable(typeof(OpsSessionInfo))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
internal sealed partial class OpsJsonContext : JsonSerializerContext;
