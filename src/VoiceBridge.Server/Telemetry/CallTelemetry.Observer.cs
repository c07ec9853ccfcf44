using System.Diagnostics;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Telemetry;

/// <summary>The call's telemetry as one of its observers: the core's hooks, mapped onto the spans and metrics.</summary>
internal sealed partial class CallTelemetry : ICallObserver
{
    private Activity? _connecting;
    private long _lastOutboundHop;

    public void OnStarted(CallStarted call)
    {
        ArgumentNullException.ThrowIfNull(call);
        OnStarted(call.CallId, call.StreamId, call.UpstreamAudio, call.InboundBytesRatio);
    }

    /// <summary>An upstream session is being opened: an <c>upstream.connect</c> span until it is.</summary>
    public void OnUpstreamConnecting()
    {
        _connecting = VoiceBridgeActivity.Source.StartActivity(VoiceBridgeActivity.UpstreamConnect, ActivityKind.Client, _call?.Context ?? default);
        _connecting?.SetTag("voicebridge.upstream.provider", _context?.Provider ?? "unknown");
    }

    /// <summary>The connect finished: its duration, readiness (recent failures make the instance unready), the span's outcome.</summary>
    public void OnUpstreamConnected(UpstreamEnd? failure, TimeSpan elapsed)
    {
        var span = _connecting;
        _connecting = null;
        var provider = _context?.Provider ?? "unknown";
        if (failure is null)
        {
            _context?.Health.RecordSuccess();
            _metrics?.ConnectDuration.Record(elapsed.TotalSeconds, new TagList { { "voicebridge.upstream.provider", provider }, { "voicebridge.outcome", "connected" } });
        }
        else if (failure.Reason == UpstreamEndReason.Cancelled)
        {
            span?.SetTag("error.type", "cancelled");
        }
        else
        {
            var reason = failure.Reason.ToString();
            _context?.Health.RecordFailure(reason);
            _metrics?.ConnectDuration.Record(elapsed.TotalSeconds, new TagList { { "voicebridge.upstream.provider", provider }, { "voicebridge.outcome", "failed" } });
            _metrics?.ConnectErrors.Add(1, new TagList { { "voicebridge.upstream.provider", provider }, { "error.type", reason } });
            span?.SetStatus(ActivityStatusCode.Error, reason);
            span?.SetTag("error.type", reason);
            span?.SetTag("http.response.status_code", failure.HttpStatus);
        }

        span?.Dispose();
    }

    // Caller audio handed to the upstream: counted on both legs, and the inbound hop (frame arrived → written upstream).
    public void OnUpstreamAudioSent(in AudioFrame frame) =>
        OnInboundAudio((int)(frame.Payload.Length / _inboundBytesRatio), frame.ReceivedAt);

    // Assistant audio from the upstream: counted; its hop is timed where it reaches the caller.
    public void OnUpstreamAudio(in AudioFrame frame) => OnOutboundAudio(frame.Payload.Length, receivedTimestamp: 0);

    // Assistant audio handed to the caller: a caller frame (the first of a turn sets its first-audio latency) and, once per
    // delta, the outbound hop (delta arrived → its first frame handed to the caller). Upstream loop only.
    public void OnCallerAudioSent(in AudioFrame frame)
    {
        OnCallerFrameSent(frame.Payload.Length);
        if (frame.ReceivedAt != 0 && frame.ReceivedAt != _lastOutboundHop)
        {
            _lastOutboundHop = frame.ReceivedAt;
            _metrics?.HopLatency.Record(Stopwatch.GetElapsedTime(frame.ReceivedAt).TotalSeconds, _hopOutbound);
        }
    }

    public void OnDrop(CallDrop drop, int bytes) => OnDrop(drop);

    public void OnBargeIn(BargeInDecision decision)
    {
        // The barge-in span comes from speech_started (OnUpstreamEvent); the decision itself is the audit's.
    }

    public ValueTask OnEndedAsync(CallEndReason reason, string? detail)
    {
        End(reason);
        return ValueTask.CompletedTask;
    }
}
