using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Core;

/// <summary>
/// Behaviour a call gains beyond relaying (server-side tools, idle handling, the operator's commands): attached once the
/// upstream has accepted the policy, fed the events it needs, disposed when the call ends. Features act through the
/// <see cref="ICallHandle"/> they are given, never through a leg.
/// </summary>
internal interface ICallFeature : IDisposable
{
    /// <summary>What the call is doing, when this feature knows better than <c>live</c> (<c>ending</c>, <c>transferring</c>…).</summary>
    string? State => null;

    /// <summary>The upstream accepted the policy: start.</summary>
    ValueTask AttachAsync(ICallHandle call, CancellationToken ending);

    /// <summary>Every server event, on the upstream loop (per-frame audio events must return at once).</summary>
    void OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> json);

    /// <summary>Assistant audio was heard (a playback mark came back).</summary>
    void OnPlaybackProgress();
}
