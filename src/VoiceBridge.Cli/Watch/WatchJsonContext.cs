using System.Text.Json;
using System.Text.Json.Serialization;

namespace VoiceBridge.Cli.Watch;

/// <summary>The report and the hub's messages (read as <see cref="JsonElement"/>): the CLI runs with reflection-based JSON off.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(WatchReport))]
[JsonSerializable(typeof(WatchLogin))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class WatchJsonContext : JsonSerializerContext;
