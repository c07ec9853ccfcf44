using System.Text.Json.Serialization;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// Source-generated metadata for every modelled Realtime event (reflection off). snake_case names as on the wire;
/// nulls are not written except where the real API always writes them (marked per property).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ConversationItemAddedEvent))]
[JsonSerializable(typeof(ConversationItemCreateEvent))]
[JsonSerializable(typeof(ConversationItemDoneEvent))]
[JsonSerializable(typeof(ConversationItemTruncateEvent))]
[JsonSerializable(typeof(ConversationItemTruncatedEvent))]
[JsonSerializable(typeof(ErrorEvent))]
[JsonSerializable(typeof(InputAudioBufferAppendEvent))]
[JsonSerializable(typeof(InputAudioBufferClearEvent))]
[JsonSerializable(typeof(InputAudioBufferClearedEvent))]
[JsonSerializable(typeof(InputAudioBufferCommitEvent))]
[JsonSerializable(typeof(InputAudioBufferCommittedEvent))]
[JsonSerializable(typeof(InputAudioTranscriptionCompletedEvent))]
[JsonSerializable(typeof(InputAudioTranscriptionDeltaEvent))]
[JsonSerializable(typeof(InputAudioTranscriptionFailedEvent))]
[JsonSerializable(typeof(OutputAudioBufferClearEvent))]
[JsonSerializable(typeof(OutputAudioBufferClearedEvent))]
[JsonSerializable(typeof(OutputAudioBufferStartedEvent))]
[JsonSerializable(typeof(OutputAudioBufferStoppedEvent))]
[JsonSerializable(typeof(ResponseCancelEvent))]
[JsonSerializable(typeof(ResponseContentPartAddedEvent))]
[JsonSerializable(typeof(ResponseContentPartDoneEvent))]
[JsonSerializable(typeof(ResponseCreateEvent))]
[JsonSerializable(typeof(ResponseCreatedEvent))]
[JsonSerializable(typeof(ResponseDoneEvent))]
[JsonSerializable(typeof(ResponseFunctionCallArgumentsDeltaEvent))]
[JsonSerializable(typeof(ResponseFunctionCallArgumentsDoneEvent))]
[JsonSerializable(typeof(ResponseOutputAudioDeltaEvent))]
[JsonSerializable(typeof(ResponseOutputAudioDoneEvent))]
[JsonSerializable(typeof(ResponseOutputAudioTranscriptDeltaEvent))]
[JsonSerializable(typeof(ResponseOutputAudioTranscriptDoneEvent))]
[JsonSerializable(typeof(ResponseOutputItemAddedEvent))]
[JsonSerializable(typeof(ResponseOutputItemDoneEvent))]
[JsonSerializable(typeof(SessionCreatedEvent))]
[JsonSerializable(typeof(SessionUpdateEvent))]
[JsonSerializable(typeof(SessionUpdatedEvent))]
[JsonSerializable(typeof(SpeechStartedEvent))]
[JsonSerializable(typeof(SpeechStoppedEvent))]
[JsonSerializable(typeof(RealtimeTranscription))]
[JsonSerializable(typeof(RealtimeTurnDetection))]
[JsonSerializable(typeof(RealtimeSession))]
[JsonSerializable(typeof(string))]
public sealed partial class RealtimeJsonContext : JsonSerializerContext;
