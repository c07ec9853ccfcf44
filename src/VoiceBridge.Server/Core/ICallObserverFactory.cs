namespace VoiceBridge.Server.Core;

/// <summary>
/// Makes an observer for each call (registered by the observer's folder: audit, telemetry, the operations feed); null:
/// nothing to observe for this call. Called on the call's own async flow before it starts, so an observer may make its
/// span current for everything the call runs.
/// </summary>
internal interface ICallObserverFactory
{
    ICallObserver? Create(ILiveCall call, string transport, string upstreamAudio);
}
