using System.Text.Json.Serialization;

namespace VoiceBridge.Server.Browser;

/// <summary>Source-generated JSON for the client-secrets endpoint (snake_case like OpenAI's REST API).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClientSecretRequest))]
[JsonSerializable(typeof(ClientSecretResponse))]
[JsonSerializable(typeof(HttpErrorBody))]
internal sealed partial class BrowserJsonContext : JsonSerializerContext;
