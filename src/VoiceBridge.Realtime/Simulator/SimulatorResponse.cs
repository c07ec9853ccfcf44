using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>The response the simulator is streaming: ids, the echo audio in the output format, how much was sent.</summary>
internal sealed class SimulatorResponse
{
    public required string Id { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Output items finished so far (for response.done).</summary>
    public List<RealtimeItem> Output { get; } = [];

    /// <summary>The assistant audio item (null for a function-call-only response).</summary>
    public string? AudioItemId { get; init; }

    public int AudioOutputIndex { get; init; }

    public byte[] Audio { get; init; } = [];

    public required int ChunkBytes { get; init; }

    public required int BytesPerMs { get; init; }

    public string Transcript { get; init; } = string.Empty;

    /// <summary>The <c>metadata</c> of the response.create that asked for this response, echoed like the API does.</summary>
    public System.Text.Json.JsonElement? Metadata { get; init; }

    /// <summary>The item before the assistant audio item (previous_item_id of its conversation events).</summary>
    public string? PreviousItemId { get; set; }

    public int SentBytes { get; set; }

    /// <summary>Text tokens of the output (transcript and function arguments), ≈ 4 characters per token.</summary>
    public int OutputTextTokens { get; set; }

    public int SentMs => SentBytes / BytesPerMs;

    public bool AudioComplete => SentBytes >= Audio.Length;
}
