using System.Text.Json.Nodes;

namespace VoiceBridge.Server.Browser;

/// <summary><c>{"value":"ek_…","expires_at":&lt;unix s&gt;,"session":{…effective…}}</c>
/// (docs/protocols/openai-realtime.md#ephemeral-client-secrets).</summary>
internal sealed record ClientSecretResponse
{
    public required string Value { get; init; }

    public required long ExpiresAt { get; init; }

    public JsonObject? Session { get; init; }
}
