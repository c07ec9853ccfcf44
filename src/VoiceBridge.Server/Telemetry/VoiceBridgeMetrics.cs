using System.Diagnostics.Metrics;

namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// Every instrument of the <c>VoiceBridge</c> meter, built once from <see cref="IMeterFactory"/> (like aspnetcore's
/// HostingMetrics). Durations are in seconds.
/// </summary>
/// <remarks>
/// The per-frame counts (<c>voicebridge.audio.frames</c>, <c>voicebridge.audio.bytes</c>,
/// <c>voicebridge.frames.dropped</c>) are not instrument calls per frame: each call counts into plain fields of its
/// <see cref="CallTelemetry"/>, and these observable counters sum the live calls' fields, plus what the calls that
/// ended had counted, when an exporter collects. Measured with the OpenTelemetry SDK collecting
/// (<c>PerFrameCostTests</c>, Release, shared 2-core machine): 2.2–3.4 µs per inbound+outbound frame pair when the
/// hooks added to six counters per pair, 1.0–1.9 µs now, nearly all of it the two hop-latency records
/// (<see cref="CallTelemetry.OnInboundAudio"/> says why those stay).
/// </remarks>
internal sealed class VoiceBridgeMetrics
{
    public const string MeterName = "VoiceBridge";

    // Hop latency is tens of microseconds when the machine is idle; the default buckets (0, 5, 10, 25 ... seconds)
    // would put every sample in the first one.
    private static readonly IReadOnlyList<double> HopBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05];

    // Turn latencies: a good voice agent answers in 300-800 ms; the buckets resolve that range.
    private static readonly IReadOnlyList<double> TurnBuckets = [0.05, 0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.75, 1, 1.5, 2, 3, 5, 10];

    private static readonly IReadOnlyList<double> ConnectBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Lock _callsGate = new();
    private readonly List<CallTelemetry> _liveCalls = [];
    private readonly Dictionary<string, TransportCounters> _transports = new(StringComparer.Ordinal);

    public VoiceBridgeMetrics(IMeterFactory meterFactory)
    {
        // The factory owns the meter and disposes it with the container.
#pragma warning disable CA2000
        var meter = meterFactory.Create(MeterName);
#pragma warning restore CA2000
        ActiveCalls = meter.CreateUpDownCounter<long>("voicebridge.calls.active", "{call}", "Calls in progress, by transport.");
        CallsStarted = meter.CreateCounter<long>("voicebridge.calls.started", "{call}", "Calls accepted, by transport.");
        CallsEnded = meter.CreateCounter<long>("voicebridge.calls.ended", "{call}", "Calls ended, by transport and end reason.");
        meter.CreateObservableCounter("voicebridge.audio.frames", () => ObserveLegs(bytes: false), "{frame}",
            "Audio messages, by transport, leg (caller/upstream) and direction (in/out).");
        meter.CreateObservableCounter("voicebridge.audio.bytes", () => ObserveLegs(bytes: true), "By",
            "Audio payload bytes (decoded, not base64), by transport, leg and direction.");
        meter.CreateObservableCounter("voicebridge.frames.dropped", ObserveDrops, "{frame}",
            "Inputs and frames dropped or discarded, by transport and reason.");
        ConnectDuration = meter.CreateHistogram("voicebridge.upstream.connect.duration", "s", "Time to open an upstream session, by provider and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConnectBuckets });
        ConnectErrors = meter.CreateCounter<long>("voicebridge.upstream.connect.errors", "{error}", "Upstream connects that failed, by provider and reason.");
        BargeIns = meter.CreateCounter<long>("voicebridge.bargeins", "{bargein}", "Caller speech that interrupted assistant audio, by transport.");
        Turns = meter.CreateCounter<long>("voicebridge.turns", "{turn}", "Caller turns answered with audio, by transport.");
        TurnsOverSlo = meter.CreateCounter<long>("voicebridge.turns.slo_exceeded", "{turn}", "Turns whose first-audio latency exceeded Telemetry:FirstAudioSloMs, by transport.");
        FirstAudioLatency = meter.CreateHistogram("voicebridge.turn.first_audio.latency", "s",
            "End of caller speech (input_audio_buffer.speech_stopped) to the first assistant audio frame sent to the caller.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TurnBuckets });
        HeardLatency = meter.CreateHistogram("voicebridge.turn.heard.latency", "s",
            "End of caller speech to the first mark of the answer echoed by Twilio (the caller heard it).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TurnBuckets });
        HopLatency = meter.CreateHistogram("voicebridge.bridge.hop.duration", "s",
            "Time from a frame received on one leg to its audio forwarded on the other, by transport and direction.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = HopBuckets });
        Tokens = meter.CreateCounter<long>("voicebridge.tokens", "{token}", "Tokens reported by response.done usage, by model, direction (input/output) and modality.");
        WebhooksRefused = meter.CreateCounter<long>("voicebridge.webhooks.refused", "{webhook}",
            "Signed webhooks refused, by reason (no_secret, missing_headers, bad_signature, stale, replayed).");
        DirectCallsRefused = meter.CreateCounter<long>("voicebridge.direct.refused", "{call}",
            "Direct calls turned away before they started, by transport (webrtc, sip) and reason.");
        Cost = meter.CreateCounter<double>("voicebridge.cost", "USD", "Estimated cost from response.done usage and the Telemetry:Prices table, by model.");
    }

    public UpDownCounter<long> ActiveCalls { get; }

    public Counter<long> CallsStarted { get; }

    public Counter<long> CallsEnded { get; }

    public Histogram<double> ConnectDuration { get; }

    public Counter<long> ConnectErrors { get; }

    public Counter<long> BargeIns { get; }

    public Counter<long> Turns { get; }

    public Counter<long> TurnsOverSlo { get; }

    public Histogram<double> FirstAudioLatency { get; }

    public Histogram<double> HeardLatency { get; }

    public Histogram<double> HopLatency { get; }

    public Counter<long> Tokens { get; }

    public Counter<double> Cost { get; }

    public Counter<long> WebhooksRefused { get; }

    public Counter<long> DirectCallsRefused { get; }

    /// <summary>A call's per-frame counters count from now on (until <see cref="Untrack"/>).</summary>
    internal void Track(CallTelemetry call)
    {
        lock (_callsGate)
        {
            Transport(call.Transport);
            _liveCalls.Add(call);
        }
    }

    /// <summary>The call is over: what it counted moves to its transport's ended totals, so the counters never go down.</summary>
    internal void Untrack(CallTelemetry call)
    {
        lock (_callsGate)
        {
            if (_liveCalls.Remove(call))
            {
                call.AddCountsTo(_transports[call.Transport].Ended);
            }
        }
    }

    private TransportCounters Transport(string transport)
    {
        if (!_transports.TryGetValue(transport, out var counters))
        {
            counters = new TransportCounters(transport, CallTelemetry.DropNames);
            _transports.Add(transport, counters);
        }

        return counters;
    }

    private List<Measurement<long>> ObserveLegs(bool bytes)
    {
        var measurements = new List<Measurement<long>>();
        lock (_callsGate)
        {
            foreach (var counters in SumUnderLock())
            {
                var values = bytes ? counters.Sum.Bytes : counters.Sum.Frames;
                for (var leg = 0; leg < CallCounterTotals.Legs; leg++)
                {
                    measurements.Add(new Measurement<long>(values[leg], counters.LegTags[leg]));
                }
            }
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveDrops()
    {
        var measurements = new List<Measurement<long>>();
        lock (_callsGate)
        {
            foreach (var counters in SumUnderLock())
            {
                var drops = counters.Sum.Drops;
                for (var reason = 0; reason < drops.Length; reason++)
                {
                    // A reason's series starts at its first drop, as it did when drops were counted one by one.
                    if (drops[reason] > 0)
                    {
                        measurements.Add(new Measurement<long>(drops[reason], counters.DropTags[reason]));
                    }
                }
            }
        }

        return measurements;
    }

    private Dictionary<string, TransportCounters>.ValueCollection SumUnderLock()
    {
        foreach (var counters in _transports.Values)
        {
            counters.Sum.CopyFrom(counters.Ended);
        }

        foreach (var call in _liveCalls)
        {
            call.AddCountsTo(_transports[call.Transport].Sum);
        }

        return _transports.Values;
    }
}
