using System.Text.Json;

namespace VoiceBridge.Server.Browser;

/// <summary>Body of <c>POST /v1/realtime/client_secrets</c>, OpenAI's shape
/// (docs/protocols/openai-realtime.md#ephemeral-client-secrets).</summary>
internal sealed record ClientSecretRequest
{
    public ClientSecretExpiry? ExpiresAfter { get; init; }

    /// <summary>The session to fix for the client (GA session object), kept as raw JSON.</summary>
    public JsonElement? Session { get; init; }
}
