using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>The <c>error</c> object (docs/protocols/openai-realtime.md#errors). The server always writes <c>param</c>
/// and <c>event_id</c>, null or not.</summary>
public sealed record RealtimeErrorDetail : RealtimeJsonObject
{
    public const string InvalidRequestError = "invalid_request_error";
    public const string ServerError = "server_error";

    public string? Type { get; init; }

    public string? Code { get; init; }

    public string? Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? Param { get; init; }

    /// <summary>The <c>event_id</c> of the client event that caused the error.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? EventId { get; init; }
}
