using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Audit;

/// <summary>Makes each call's <see cref="CallRecorder"/>: its audit trail and recording, as one of its observers.</summary>
internal sealed class CallRecorders(IAuditTrail trail, IOptions<AuditOptions> options, TimeProvider time, IRecordingStore recordings, ILogger<CallRecorder> logger)
    : ICallObserverFactory
{
    public ICallObserver Create(ILiveCall call, string transport, string upstreamAudio) =>
        new CallRecorder(trail, options.Value, time, logger, transport, upstreamAudio, call, recordings);
}
