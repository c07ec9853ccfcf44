using System.Diagnostics;
using System.Globalization;
using VoiceBridge.Cli.Load;

namespace VoiceBridge.Cli.Watch;

/// <summary>Connects the viewers, waits out the warm-up, measures over the window, and reports.</summary>
internal static class WatchRunner
{
    public static async Task<WatchReport> RunAsync(WatchOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var latencies = new LatencyHistogram();
        var loadBefore = LoadAverage();
        var viewers = new List<WatchViewer>(options.Viewers);
        try
        {
            // A few at a time: 50 logins and upgrades at once are a burst no dashboard audience makes.
            for (var i = 0; i < options.Viewers; i += 10)
            {
                var batch = Enumerable.Range(i, Math.Min(10, options.Viewers - i)).Select(_ => WatchViewer.ConnectAsync(options, latencies, cancellationToken));
                viewers.AddRange(await Task.WhenAll(batch));
            }

            await log.WriteLineAsync($"{viewers.Count} dashboard viewers connected to {options.BridgeUrl}; measuring in {options.Warmup.TotalSeconds:F0} s for {options.Duration.TotalSeconds:F0} s");
            await Task.Delay(options.Warmup, cancellationToken);
            if (options.OpenACall)
            {
                for (var i = 0; i < viewers.Count; i++)
                {
                    await viewers[i].OpenACallAsync(i, cancellationToken);
                }
            }

            var bytesBefore = viewers.Select(v => v.BytesReceived).ToArray();
            foreach (var viewer in viewers)
            {
                viewer.StartMeasuring();
            }

            var clock = Stopwatch.StartNew();
            await Task.Delay(options.Duration, cancellationToken);
            foreach (var viewer in viewers)
            {
                viewer.StopMeasuring();
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var rates = viewers.Select((v, i) => (v.BytesReceived - bytesBefore[i]) / seconds).ToArray();
            return new WatchReport
            {
                BridgeUrl = options.BridgeUrl.ToString(),
                Viewers = options.Viewers,
                Connected = viewers.Count,
                Disconnected = viewers.Count(v => v.Dropped),
                WindowSeconds = Math.Round(seconds, 1),
                BytesPerSecondMean = Math.Round(rates.Average()),
                BytesPerSecondMin = Math.Round(rates.Min()),
                BytesPerSecondMax = Math.Round(rates.Max()),
                MessagesPerSecond = Math.Round(viewers.Average(v => v.Messages) / seconds, 2),
                RowsPerSecond = Math.Round(viewers.Average(v => v.Rows) / seconds, 1),
                MaxUpdatesPerCallSecond = viewers.Max(v => v.MaxUpdatesPerCallSecond),
                CallsSeen = viewers.Max(v => v.CallsSeen),
                LatencySamples = latencies.Count,
                LatencyP50Ms = Math.Round(latencies.Percentile(50) / 1000, 1),
                LatencyP95Ms = Math.Round(latencies.Percentile(95) / 1000, 1),
                LatencyP99Ms = Math.Round(latencies.Percentile(99) / 1000, 1),
                LatencyMaxMs = Math.Round(latencies.MaxMicroseconds / 1000.0, 1),
                LoadAverageBefore = loadBefore,
                LoadAverageAfter = LoadAverage(),
            };
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    public static string Format(WatchReport report) => string.Create(CultureInfo.InvariantCulture, $"""
        voicebridge watch: {report.Viewers} dashboard viewers ({report.Connected} connected, {report.Disconnected} dropped) for {report.WindowSeconds:F0} s on {report.BridgeUrl}
          per viewer: {report.BytesPerSecondMean / 1024:F1} KiB/s (least {report.BytesPerSecondMin / 1024:F1}, most {report.BytesPerSecondMax / 1024:F1}), {report.MessagesPerSecond:F1} messages/s, {report.RowsPerSecond:F0} call rows/s; {report.CallsSeen} live calls in the last keyframe
          update latency (change on the bridge → viewer): p50 {report.LatencyP50Ms:F0} ms, p95 {report.LatencyP95Ms:F0} ms, p99 {report.LatencyP99Ms:F0} ms, max {report.LatencyMaxMs:F0} ms ({report.LatencySamples} rows)
          most updates of one call in one second at one viewer: {report.MaxUpdatesPerCallSecond}
          load average before {report.LoadAverageBefore?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"}, after {report.LoadAverageAfter?.ToString("F2", CultureInfo.InvariantCulture) ?? "-"}

        """);

    // The 1-minute load average, from /proc (Linux); null elsewhere.
    private static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
