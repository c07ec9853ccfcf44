using System.Text.Json.Serialization;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Cluster;

/// <summary>What instances write to Redis for each other: directory entries and control messages.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DirectoryEntry))]
[JsonSerializable(typeof(ControlEnvelope))]
[JsonSerializable(typeof(ControlReply))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
