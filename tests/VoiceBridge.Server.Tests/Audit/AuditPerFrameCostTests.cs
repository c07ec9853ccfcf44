using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>
/// What auditing costs a phone call per 20 ms frame, on the session's task: every message of both legs numbered,
/// formatted and hashed into the call's chain (audio payloads digested), ready for the writer's group commit.
/// </summary>
[Collection(nameof(AllocationMeasurements))]
public sealed class AuditPerFrameCostTests : IDisposable
{
    private const int Frames = 5_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("voicebridge-audit-cost-").FullName;

    [Fact]
    public async Task PhoneFrames_BothLegsAudited_AllocateNothingPerFrame()
    {
        var options = new AuditOptions { Directory = _directory, QueueCapacity = 1_000, Record = false, SigningKey = AuditSigningKey.NewBase64() };
        var trail = new AuditTrail(Options.Create(options), TimeProvider.System);
        var recorder = new CallRecorder(trail, options, TimeProvider.System, NullLogger.Instance, "twilio", "pcm24k");
        recorder.Open("CA0123", new BridgeDecision { Model = "gpt-realtime", AudioFormat = "pcm24k" });
        using var frame = new PhoneFrame();
        RunFrames(recorder, frame, 200);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        var records = RunFrames(recorder, frame, Frames);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        await recorder.DisposeAsync();

        Assert.Equal(6L * Frames, records);
        Assert.Equal(0, allocated);
        Figures.Report("audit", string.Create(CultureInfo.InvariantCulture,
            $"audit per 20 ms phone frame on the session's task (caller media in, append up, delta down, media + mark out, mark echo; 6 records formatted, hashed and sealed): {elapsed.TotalNanoseconds / Frames:F0} ns ({Build} build, load average {LoadAverage()}), {allocated} bytes allocated over {Frames} frames"));
    }

    // The writer's side is played by this thread: it takes the formatted lines and drops them as if committed.
    private static long RunFrames(CallRecorder recorder, PhoneFrame frame, int count)
    {
        var audit = recorder.Audit!;
        var before = audit.Records;
        for (var i = 0; i < count; i++)
        {
            // What the legs hand the recorder, decoded: it parses and decodes nothing itself.
            recorder.OnCallerAudio(new AudioFrame(frame.CallerMedia, frame.Mulaw, frame.Pcm8, 8000));
            recorder.OnUpstreamAudioSent(new AudioFrame(frame.Append.Span, frame.Pcm24Bytes, frame.Pcm24, 24000));
            recorder.OnUpstreamAudio(new AudioFrame(frame.Delta.Span, frame.Pcm24Bytes, frame.Pcm24, 24000, 0, "item_1"));
            recorder.OnCallerAudioSent(new AudioFrame(frame.CallerOutMedia, frame.Mulaw, frame.Pcm8, 8000));
            recorder.OnCallerSent(frame.MarkOut);
            recorder.OnCallerMessage(frame.MarkEcho, binary: false);
            if (i % 10 == 9)
            {
                // Every 200 ms, like the writer at the default Audit:FlushIntervalMs.
                audit.TakeInto(audit.State);
                audit.State.Committed();
            }
        }

        return audit.Records - before;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

#if DEBUG
    private const string Build = "Debug";
#else
    private const string Build = "Release";
#endif

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private sealed class PhoneFrame : IDisposable
    {
        public byte[] CallerMedia { get; } = Encoding.UTF8.GetBytes(
            "{\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"},\"streamSid\":\"MZ1\"}");

        public byte[] CallerOutMedia { get; } = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"" + Convert.ToBase64String(new byte[160]) + "\"}}");

        public byte[] MarkOut { get; } = "{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray();

        public byte[] MarkEcho { get; } = "{\"event\":\"mark\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m12\"}}"u8.ToArray();

        public byte[] Mulaw { get; } = new byte[160];

        public short[] Pcm8 { get; } = new short[160];

        public short[] Pcm24 { get; } = new short[480];

        public ReadOnlySpan<byte> Pcm24Bytes => System.Runtime.InteropServices.MemoryMarshal.AsBytes(Pcm24.AsSpan());

        public Realtime.Transport.RealtimeMessage Append { get; } = RealtimeAudioFrames.WriteInputAudioBufferAppend(new byte[960]);

        public Realtime.Transport.RealtimeMessage Delta { get; } = RealtimeAudioFrames.WriteOutputAudioDelta(new byte[960], default, "resp_1", "item_1", 0, 0);

        public void Dispose()
        {
            Append.Dispose();
            Delta.Dispose();
        }
    }
}
