using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Tests.Telemetry;

// Run alone, like the audit measurement: the SDK's listener takes every VoiceBridge meter in the process, so calls of
// tests running beside this one record into the same provider; one full run saw 2,960 bytes (not per frame: 0.15 B
// per pair) on this thread while others ran, and none alone (three runs).
[Collection(nameof(VoiceBridge.Server.Tests.Audit.AllocationMeasurements))]
public sealed class PerFrameCostTests
{
    private const int Frames = 20_000;

    [Fact]
    public void PerFrameHooks_AllocateNothing_WithTheOpenTelemetrySdkCollecting()
    {
        var exported = new List<Metric>();
        using var services = new ServiceCollection().AddMetrics().AddSingleton<VoiceBridgeMetrics>().BuildServiceProvider();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(VoiceBridgeMetrics.MeterName).AddInMemoryExporter(exported).Build();
        using var call = new CallTelemetry("twilio", services.GetRequiredService<VoiceBridgeMetrics>(), null);
        call.OnStarted("CA0", "MZ0", "pcm24k", 6);
        // Warm-up: the first recordings create the metric points, and the JIT promotes the hooks to optimized code.
        RunFrames(call, 5_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        RunFrames(call, Frames);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        using var detached = CallTelemetry.Detached("twilio");
        RunFrames(detached, 5_000);
        var baselineStarted = Stopwatch.GetTimestamp();
        RunFrames(detached, Frames);
        var baseline = Stopwatch.GetElapsedTime(baselineStarted);

        // What the two hop records of a pair cost on their own (the histogram is the one instrument still called per
        // frame), and the clock reads they need: the measurement behind recording every hop rather than a sample.
        var metrics = services.GetRequiredService<VoiceBridgeMetrics>();
        var hopTags = new TagList { { "voicebridge.transport", "twilio" }, { "voicebridge.direction", "inbound" } };
        RecordHops(metrics, hopTags, 5_000);
        var hopsStarted = Stopwatch.GetTimestamp();
        RecordHops(metrics, hopTags, Frames);
        var hops = Stopwatch.GetElapsedTime(hopsStarted);
        var clockStarted = Stopwatch.GetTimestamp();
        ReadClock(Frames);
        var clockReads = Stopwatch.GetElapsedTime(clockStarted);

        meterProvider.ForceFlush();
        Assert.Equal(0, allocated);
        var frames = exported.Where(m => m.Name == "voicebridge.audio.frames").SelectMany(Points).ToList();
        // The observable counters report what the call counted: 25,000 inbound frames so far (warm-up included).
        Assert.Contains(frames, p => Equals(p.Tags["voicebridge.leg"], "caller") && Equals(p.Tags["voicebridge.direction"], "in") && p.Value == 25_000);
        // Each loop iteration is one inbound frame, one outbound delta and one 20 ms frame to the caller.
        Figures.Report("telemetry", string.Create(CultureInfo.InvariantCulture,
            $"telemetry per-frame hooks with the OTel SDK collecting: {elapsed.TotalNanoseconds / Frames:F0} ns per inbound+outbound frame pair ({baseline.TotalNanoseconds / Frames:F0} ns with telemetry detached; of the pair, its two hop histogram records alone {hops.TotalNanoseconds / Frames:F0} ns, their two clock reads {clockReads.TotalNanoseconds / Frames:F0} ns; {Build} build, load average {LoadAverage()}), {allocated} bytes allocated over {Frames} pairs"));
    }

#if DEBUG
    private const string Build = "Debug";
#else
    private const string Build = "Release";
#endif

    private static void RecordHops(VoiceBridgeMetrics metrics, TagList tags, int count)
    {
        for (var i = 0; i < count; i++)
        {
            metrics.HopLatency.Record(0.0001, tags);
            metrics.HopLatency.Record(0.0002, tags);
        }
    }

    private static void ReadClock(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Stopwatch.GetTimestamp();
            Stopwatch.GetTimestamp();
        }
    }

    private static IEnumerable<(long Value, Dictionary<string, object?> Tags)> Points(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            var tags = new Dictionary<string, object?>();
            foreach (var tag in point.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            yield return (point.GetSumLong(), tags);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static void RunFrames(CallTelemetry call, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var received = Stopwatch.GetTimestamp();
            call.OnInboundAudio(160, received);
            call.OnOutboundAudio(4800, received);
            call.OnCallerFrameSent(160);
        }
    }
}
