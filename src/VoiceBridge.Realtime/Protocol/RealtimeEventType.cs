namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The event types the bridge models, as a cheap value for switching on a frame without parsing it
/// (see <see cref="RealtimeEventPeek"/>). Beta names map to their GA member.
/// </summary>
public enum RealtimeEventType
{
    /// <summary>A <c>type</c> the bridge does not model (carried through intact).</summary>
    Unknown = 0,
    SessionUpdate,
    InputAudioBufferAppend,
    InputAudioBufferCommit,
    InputAudioBufferClear,
    ConversationItemCreate,
    ConversationItemTruncate,
    ResponseCreate,
    ResponseCancel,
    Error,
    SessionCreated,
    SessionUpdated,
    InputAudioBufferSpeechStarted,
    InputAudioBufferSpeechStopped,
    InputAudioBufferCommitted,
    InputAudioBufferCleared,
    ConversationItemAdded,
    ConversationItemDone,
    ConversationItemTruncated,
    InputAudioTranscriptionDelta,
    InputAudioTranscriptionCompleted,
    InputAudioTranscriptionFailed,
    ResponseCreated,
    ResponseDone,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseOutputAudioDelta,
    ResponseOutputAudioDone,
    ResponseOutputAudioTranscriptDelta,
    ResponseOutputAudioTranscriptDone,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,

    /// <summary>WebRTC and SIP only: the server started playing a response's audio to the caller.</summary>
    OutputAudioBufferStarted,

    /// <summary>WebRTC and SIP only: the server's output buffer drained (the response's audio has played).</summary>
    OutputAudioBufferStopped,

    /// <summary>WebRTC and SIP only: the output buffer was cleared (an interruption or a client's clear).</summary>
    OutputAudioBufferCleared,

    /// <summary>WebRTC and SIP only (client event): clear the server's output buffer.</summary>
    OutputAudioBufferClear,
}
