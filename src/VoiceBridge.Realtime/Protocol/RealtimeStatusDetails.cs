namespace VoiceBridge.Realtime.Protocol;

/// <summary><c>response.status_details</c>: reason turn_detected / client_cancelled (cancelled), max_output_tokens / content_filter (incomplete), error (failed).</summary>
public sealed record RealtimeStatusDetails : RealtimeJsonObject
{
    public const string TurnDetected = "turn_detected";
    public const string ClientCancelled = "client_cancelled";

    public string? Type { get; init; }

    public string? Reason { get; init; }

    public RealtimeErrorDetail? Error { get; init; }
}
