namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The GA <c>type</c> strings of the Realtime events the bridge uses (OpenAI Realtime API reference:
/// docs/protocols/openai-realtime.md#client-events, #server-events), plus the retired beta names that are still
/// recognised on read (docs/protocols/openai-realtime.md#the-retired-beta-shape) but never written.
/// </summary>
public static class RealtimeEventTypes
{
    // Client events (bridge → upstream).
    public const string SessionUpdate = "session.update";
    public const string InputAudioBufferAppend = "input_audio_buffer.append";
    public const string InputAudioBufferCommit = "input_audio_buffer.commit";
    public const string InputAudioBufferClear = "input_audio_buffer.clear";
    public const string ConversationItemCreate = "conversation.item.create";
    public const string ConversationItemTruncate = "conversation.item.truncate";
    public const string ResponseCreate = "response.create";
    public const string ResponseCancel = "response.cancel";

    // Server events (upstream → bridge).
    public const string Error = "error";
    public const string SessionCreated = "session.created";
    public const string SessionUpdated = "session.updated";
    public const string InputAudioBufferSpeechStarted = "input_audio_buffer.speech_started";
    public const string InputAudioBufferSpeechStopped = "input_audio_buffer.speech_stopped";
    public const string InputAudioBufferCommitted = "input_audio_buffer.committed";
    public const string InputAudioBufferCleared = "input_audio_buffer.cleared";
    public const string ConversationItemAdded = "conversation.item.added";
    public const string ConversationItemDone = "conversation.item.done";
    public const string ConversationItemTruncated = "conversation.item.truncated";
    public const string InputAudioTranscriptionDelta = "conversation.item.input_audio_transcription.delta";
    public const string InputAudioTranscriptionCompleted = "conversation.item.input_audio_transcription.completed";
    public const string InputAudioTranscriptionFailed = "conversation.item.input_audio_transcription.failed";
    public const string ResponseCreated = "response.created";
    public const string ResponseDone = "response.done";
    public const string ResponseOutputItemAdded = "response.output_item.added";
    public const string ResponseOutputItemDone = "response.output_item.done";
    public const string ResponseContentPartAdded = "response.content_part.added";
    public const string ResponseContentPartDone = "response.content_part.done";
    public const string ResponseOutputAudioDelta = "response.output_audio.delta";
    public const string ResponseOutputAudioDone = "response.output_audio.done";
    public const string ResponseOutputAudioTranscriptDelta = "response.output_audio_transcript.delta";
    public const string ResponseOutputAudioTranscriptDone = "response.output_audio_transcript.done";
    public const string ResponseFunctionCallArgumentsDelta = "response.function_call_arguments.delta";
    public const string ResponseFunctionCallArgumentsDone = "response.function_call_arguments.done";

    // WebRTC and SIP calls only: the server owns playback (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands).
    public const string OutputAudioBufferStarted = "output_audio_buffer.started";
    public const string OutputAudioBufferStopped = "output_audio_buffer.stopped";
    public const string OutputAudioBufferCleared = "output_audio_buffer.cleared";
    public const string OutputAudioBufferClear = "output_audio_buffer.clear";

    // Beta names (retired in 2026, docs/protocols/openai-realtime.md#the-retired-beta-shape): read as their GA
    // equivalents, never written.
    public const string BetaResponseAudioDelta = "response.audio.delta";
    public const string BetaResponseAudioDone = "response.audio.done";
    public const string BetaResponseAudioTranscriptDelta = "response.audio_transcript.delta";
    public const string BetaResponseAudioTranscriptDone = "response.audio_transcript.done";
    public const string BetaConversationItemCreated = "conversation.item.created";
}
