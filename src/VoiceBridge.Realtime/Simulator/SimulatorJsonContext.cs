using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>Source-generated JSON for simulator scripts (<c>--script file.json</c>).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SimulatorOptions))]
public sealed partial class SimulatorJsonContext : JsonSerializerContext;
