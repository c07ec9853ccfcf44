using System.Diagnostics;
using System.Globalization;
using System.Text;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>
/// How often the audit writer's thread is woken under a phone load: every wake-up is a context switch on a 2-core
/// machine, and durability is only promised per <c>Audit:FlushIntervalMs</c> (group commit), so the writer must wake
/// about once per interval whatever the record rate — not once per record.
/// </summary>
// Run alone: the process's context switches are measured, and tests running beside this one would add theirs.
[Collection(nameof(AllocationMeasurements))]
public sealed class AuditWriterWakeTests
{
    private const int FlushIntervalMs = 200;
    private const int Groups = 10;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task PhoneLoad_WakesTheWriterOncePerFlushInterval_NotPerRecord_AtAnyRecordRate()
    {
        // Warm-up (JIT, thread pool), not counted.
        await MeasureAsync(calls: 20, audit: true, TimeSpan.FromSeconds(1));
        var idle = await MeasureAsync(calls: 100, audit: false, Window);
        var light = await MeasureAsync(calls: 20, audit: true, Window);
        var heavy = await MeasureAsync(calls: 100, audit: true, Window);

        foreach (var run in new[] { light, heavy })
        {
            // The process figures are mostly the driver's (its timers and the thread pool's spinning around them) and
            // this shared machine's load: the same driver with no audit is the baseline to read them against.
            Figures.Report("audit", string.Create(CultureInfo.InvariantCulture,
                $"audit writer under {run.Calls} calls × 6 records per 20 ms ({run.Records / run.Seconds:F0} records/s, Audit:FlushIntervalMs {FlushIntervalMs}): {run.Wakes / run.Seconds:F1} writer wake-ups/s, {(double)run.Wakes / run.Records:F5} per record; a group commit of the {run.Calls} files took {run.CommitMs:F0} ms; process context switches {run.ContextSwitches / run.Seconds:F0}/s and CPU {run.Cpu.TotalMilliseconds / run.Seconds:F0} ms/s ({idle.ContextSwitches / idle.Seconds:F0}/s and {idle.Cpu.TotalMilliseconds / idle.Seconds:F0} ms/s for the driver alone, no audit); load average {LoadAverage()}"));
        }

        // Group commit every interval, plus a little slack for a commit that ran late; nothing proportional to records.
        var bound = (1000.0 / FlushIntervalMs * 1.5) + 2;
        Assert.InRange(light.Wakes / light.Seconds, 0, bound);
        Assert.InRange(heavy.Wakes / heavy.Seconds, 0, bound);
        Assert.True(heavy.Records > 4 * light.Records, $"the heavy run wrote {heavy.Records} records, the light one {light.Records}");
    }

    private static async Task<Run> MeasureAsync(int calls, bool audit, TimeSpan window)
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("vb-audit-wake-").FullName;
        try
        {
            var options = new AuditOptions { Directory = directory, FlushIntervalMs = FlushIntervalMs, Record = false };
            await using var pipeline = new AuditPipeline(options);
            await pipeline.StartAsync();
            using var frames = new PhoneFrames();
            var settled = pipeline.Trail.NextCommit;
            var audits = Enumerable.Range(0, calls).Select(i => pipeline.Trail.Open("CA" + i.ToString("D32", CultureInfo.InvariantCulture), AuditFormat.TwilioTransport)).ToArray();

            // Settle: every header is written and the writer waits again.
            await settled.WaitAsync(AuditPipeline.Timeout, ct);
            var wakesBefore = pipeline.Writer.Wakes;
            var commitsBefore = pipeline.Writer.Commits;
            var switchesBefore = ContextSwitches();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var started = Stopwatch.GetTimestamp();
            var groups = await Task.WhenAll(Enumerable.Range(0, Groups).Select(g => Task.Run(() => GroupAsync(audits.Where((_, i) => i % Groups == g).ToArray(), g, frames, audit, started, window, ct), ct)));
            var ticks = Enumerable.Range(0, calls).Select(i => groups[i % Groups]).ToArray();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var wakes = pipeline.Writer.Wakes - wakesBefore;
            var commits = pipeline.Writer.Commits;
            var commitMs = (commits.Time - commitsBefore.Time).TotalMilliseconds / Math.Max(1, commits.Count - commitsBefore.Count);
            var switches = ContextSwitches() - switchesBefore;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

            foreach (var call in audits)
            {
                call.Complete("done");
            }

            await Task.WhenAll(audits.Select(a => a.Completion)).WaitAsync(AuditPipeline.Timeout, ct);
            for (var i = 0; i < calls; i++)
            {
                // Every record of every call is in its trail, in one unbroken chain.
                Assert.Equal(new AuditVerification(AuditFileStatus.Complete, (audit ? 6 * ticks[i] : 0) + 1, audits[i].CallId, null, 0), pipeline.Verify(audits[i].CallId) with { LastHash = "" });
            }

            return new Run(calls, seconds, audit ? 6L * ticks.Sum() : 0, wakes, switches, cpu, commitMs);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The calls' loops, folded into a few tasks so the driver's own timer wake-ups (500 a second) stay small next to what
    // is measured: each 20 ms tick of a group audits a phone frame both ways (6 records) for each of its calls, the
    // groups' ticks spread over the 20 ms like real calls' frames.
    private static async Task<int> GroupAsync(CallAudit[] calls, int group, PhoneFrames frames, bool audit, long started, TimeSpan window, CancellationToken ct)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(20.0 * group / Groups), ct);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var ticks = 0;
        while (Stopwatch.GetElapsedTime(started) < window && await timer.WaitForNextTickAsync(ct))
        {
            ticks++;
            if (!audit)
            {
                continue;
            }

            foreach (var call in calls)
            {
                call.RecordAudio(AuditDirection.CallerIn, "media", frames.CallerMedia, ticks * 160L);
                call.RecordAudio(AuditDirection.UpstreamOut, "input_audio_buffer.append", frames.Append.Span, ticks * 960L);
                call.RecordAudio(AuditDirection.UpstreamIn, "response.output_audio.delta", frames.Delta.Span, ticks * 960L);
                call.RecordAudio(AuditDirection.CallerOut, "media", frames.CallerOutMedia, ticks * 160L);
                call.Record(AuditDirection.CallerOut, "mark", frames.MarkOut);
                call.Record(AuditDirection.CallerIn, "mark", frames.MarkEcho);
            }
        }

        return ticks;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    // Voluntary and involuntary context switches of every thread of this process (Linux); 0 elsewhere.
    private static long ContextSwitches()
    {
        long total = 0;
        if (!Directory.Exists("/proc/self/task"))
        {
            return 0;
        }

        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread exited while it was read.
            }
        }

        return total;
    }

    private sealed record Run(int Calls, double Seconds, long Records, long Wakes, long ContextSwitches, TimeSpan Cpu, double CommitMs);

    private sealed class PhoneFrames : IDisposable
    {
        public byte[] CallerMedia { get; } = Encoding.UTF8.GetBytes(
            "{\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"},\"streamSid\":\"MZ1\"}");

        public byte[] CallerOutMedia { get; } = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"}}");

        public byte[] MarkOut { get; } = "{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray();

        public byte[] MarkEcho { get; } = "{\"event\":\"mark\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray();

        public Realtime.Transport.RealtimeMessage Append { get; } = RealtimeAudioFrames.WriteInputAudioBufferAppend(new byte[960]);

        public Realtime.Transport.RealtimeMessage Delta { get; } = RealtimeAudioFrames.WriteOutputAudioDelta(new byte[960], default, "resp_1", "item_1", 0, 0);

        public void Dispose()
        {
            Append.Dispose();
            Delta.Dispose();
        }
    }
}
