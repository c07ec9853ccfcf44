using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Telemetry;

/// <summary>Starts the telemetry of one call (its span becomes current for the caller's async flow).</summary>
internal sealed class CallTelemetryFactory(
    VoiceBridgeMetrics metrics,
    IOptions<TelemetryOptions> telemetry,
    IOptions<UpstreamOptions> upstream,
    UpstreamHealth health,
    TimeProvider time,
    ILogger<CallTelemetry> logger) : ICallObserverFactory
{
    private CallTelemetryContext? _context;

    /// <param name="transport"><c>twilio</c>, <c>browser</c>, <c>webrtc</c> or <c>sip</c>.</param>
    /// <param name="call">The call whose other observers hear each turn's first-audio latency; null: none.</param>
    public CallTelemetry Start(string transport, ILiveCall? call = null) => new(transport, metrics, _context ??= CreateContext(), call);

    /// <summary>Every call's telemetry; made first, so its span is current for everything the call runs.</summary>
    public ICallObserver Create(ILiveCall call, string transport, string upstreamAudio) => Start(transport, call);

    private CallTelemetryContext CreateContext()
    {
        var settings = telemetry.Value;
        var upstreamSettings = upstream.Value;
        var provider = upstreamSettings.UsesWebSocket ? (upstreamSettings.Provider?.ToString() ?? "Endpoint") : "Simulator";
        settings.Prices.TryGetValue(upstreamSettings.Model, out var price);
        return new CallTelemetryContext(provider, upstreamSettings.Model, settings.FirstAudioSloMs, price, health, time, logger)
        {
            DirectFirstAudioSloMs = settings.DirectFirstAudioSloMs,
        };
    }
}
