using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// Sees what one call does, from the task that did it: the audit trail and recording, telemetry, the heard transcript and
/// the operations feed each implement the hooks they need (the others do nothing). The core and its legs call these in
/// order on the task that has the data; an observer copies what it keeps and returns at once (no I/O, no waiting, no
/// parsing of what it is handed: audio comes decoded in an <see cref="AudioFrame"/>). Per-frame hooks must not allocate.
/// </summary>
internal interface ICallObserver
{
    /// <summary>The caller is identified and admitted: the call has its id.</summary>
    void OnStarted(CallStarted call)
    {
    }

    /// <summary>An upstream session is being opened (the first one, or a reconnect).</summary>
    void OnUpstreamConnecting()
    {
    }

    /// <summary>The attempt announced by <see cref="OnUpstreamConnecting"/> finished: <paramref name="failure"/> is null when it connected.</summary>
    void OnUpstreamConnected(UpstreamEnd? failure, TimeSpan elapsed)
    {
    }

    /// <summary>A caller message the leg accepted, other than audio (refused input is only <see cref="OnDrop"/>-counted).</summary>
    void OnCallerMessage(ReadOnlySpan<byte> wire, bool binary)
    {
    }

    /// <summary>Caller audio the leg accepted, decoded.</summary>
    void OnCallerAudio(in AudioFrame frame)
    {
    }

    /// <summary>A message handed to the caller's socket, other than audio.</summary>
    void OnCallerSent(ReadOnlySpan<byte> wire)
    {
    }

    /// <summary>Assistant audio handed to the caller's socket.</summary>
    void OnCallerAudioSent(in AudioFrame frame)
    {
    }

    /// <summary>A client event handed to the upstream, other than audio.</summary>
    void OnUpstreamSent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
    }

    /// <summary>Caller audio handed to the upstream (<c>input_audio_buffer.append</c>).</summary>
    void OnUpstreamAudioSent(in AudioFrame frame)
    {
    }

    /// <summary>A server event that crossed the upstream leg, other than audio.</summary>
    void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> wire)
    {
    }

    /// <summary>Assistant audio from the upstream (<c>response.output_audio.delta</c>), decoded.</summary>
    void OnUpstreamAudio(in AudioFrame frame)
    {
    }

    /// <summary>A playback mark went to the caller after the audio before it.</summary>
    void OnMarkSent(long mark)
    {
    }

    /// <summary>The caller's side reported a mark: what it says about what was heard.</summary>
    void OnMarkEchoed(long mark, MarkEchoKind kind)
    {
    }

    /// <summary>Input refused or audio discarded, with its size: counted, never written one by one.</summary>
    void OnDrop(CallDrop drop, int bytes)
    {
    }

    /// <summary>The caller spoke over the assistant: what the bridge cleared and truncated.</summary>
    void OnBargeIn(BargeInDecision decision)
    {
    }

    /// <summary>The upstream was lost (or rotated) and the call reconnected, or gave up.</summary>
    void OnUpstreamGap(UpstreamGap gap)
    {
    }

    /// <summary>
    /// A turn's answer began to play: its first-audio latency, from the end of the caller's speech to the first assistant
    /// audio handed to the caller (telemetry measures it, and reports it here so every observer sees the same figure).
    /// </summary>
    /// <param name="turn">The turn's number in the call, from 1.</param>
    /// <param name="latency">From the end of the caller's speech to the first audio of the answer handed to the caller.</param>
    void OnTurnFirstAudio(int turn, TimeSpan latency)
    {
    }

    /// <summary>A server-side tool call began (the call's tool runner, off the upstream loop).</summary>
    void OnToolCallStarted(string name, string toolCallId)
    {
    }

    /// <summary>A server-side tool call finished: how long it ran and how it ended (its arguments and output are never here).</summary>
    void OnToolCallEnded(string name, string toolCallId, TimeSpan duration, ToolCallOutcome outcome)
    {
    }

    /// <summary>An operator acted on the call (the admin key's id, never the key).</summary>
    void OnControl(string action, string adminKeyId, string? detail)
    {
    }

    /// <summary>The call is over: the observer finishes (the audit waits, bounded, for its close record to be durable).</summary>
    ValueTask OnEndedAsync(CallEndReason reason, string? detail) => ValueTask.CompletedTask;
}
