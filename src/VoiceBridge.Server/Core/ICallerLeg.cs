using System.Net.WebSockets;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// A transport plugged into the call core: how the caller's side of one call speaks (Twilio Media Streams, a Realtime
/// client, a control-only sideband). The core (<see cref="CallSession"/>) owns everything else — the lifecycle and its one
/// end reason, the upstream with reconnects, the settle of the server policy, tools and operator control, drops, the
/// observers — and calls the leg at these points. A leg never talks to the audit, telemetry or tools directly: it hands
/// what it decoded to the core (<see cref="CallSession"/>'s <c>Caller…</c> and <c>SendAudioUpstreamAsync</c> methods).
/// </summary>
internal interface ICallerLeg
{
    /// <summary><c>twilio</c>, <c>browser</c>, … (logs, metrics, the audit header, <c>GET /calls</c>).</summary>
    string Transport { get; }

    /// <summary>The upstream audio format this leg speaks: <c>pcm24k</c> or <c>pcmu</c>.</summary>
    string UpstreamAudio { get; }

    /// <summary>
    /// Reads the caller until the call may start (a valid Twilio <c>start</c> with its call token; at once for a client
    /// that presented its token at the upgrade) and says how; null when the caller was refused or left (the leg gave the
    /// core the end reason). A read the leg leaves pending is finished by <see cref="ReceiveAsync"/>.
    /// </summary>
    ValueTask<LegStart?> AcceptAsync(CallSession call);

    /// <summary>
    /// The upstream confirmed the server policy (<c>session.updated</c>, owned by the callee for the call): a Realtime
    /// client is greeted with its effective session here. Called once, before <see cref="ReceiveAsync"/>.
    /// </summary>
    void OnSettled(RealtimeMessage sessionUpdated);

    /// <summary>
    /// The caller loop: reads the caller, hands what it accepts to the core, until the caller closes. Once the call has
    /// ended it acts on nothing (counted as <see cref="CallDrop.AfterEnd"/>) and returns when the caller answers the close
    /// frame. Runs once per call, also for a call that ended before it started (to complete the close handshake).
    /// </summary>
    Task ReceiveAsync(CallSession call);

    /// <summary>
    /// A server event for the caller (observers and features have seen it): forward, transcode or act on it. Audio deltas
    /// come decoded in <paramref name="audio"/> (PCM16 or μ-law bytes, as <see cref="UpstreamAudio"/> says). Returns false
    /// when the caller cannot keep up (the call then ends). Called from the upstream loop only.
    /// </summary>
    ValueTask<bool> OnUpstreamEventAsync(RealtimeEventType type, RealtimeMessage message, UpstreamAudioDelta audio, CancellationToken cancellationToken);

    /// <summary>The call is ending for a reason the caller should be told in its own protocol (a Realtime error event); Twilio has none.</summary>
    void OnEnding(CallEndReason reason, string message);

    /// <summary>Assistant audio handed to the caller and not yet heard (a goodbye still playing).</summary>
    bool IsPlaying { get; }

    /// <summary>Lets what is queued for the caller go out (bounded), then closes the caller's socket with this status.</summary>
    ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? callerLoop, TimeProvider time);
}
