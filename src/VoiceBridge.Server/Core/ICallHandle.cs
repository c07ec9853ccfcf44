using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>What a feature may do with its call.</summary>
internal interface ICallHandle
{
    string CallId { get; }

    string Transport { get; }

    /// <summary>The call's upstream (reconnects included); several senders may use it.</summary>
    IRealtimeConnection Upstream { get; }

    /// <summary>The call's observers as one: what a feature does (a tool call) is reported to them.</summary>
    ICallObserver Observers { get; }

    /// <summary>Assistant audio handed to the caller and not yet heard.</summary>
    bool IsPlaying { get; }

    /// <summary>Ends the call; the first reason given wins.</summary>
    void Stop(CallEndReason reason, string detail);
}
