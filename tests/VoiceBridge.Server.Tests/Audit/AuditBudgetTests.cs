using System.Runtime.InteropServices;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>The default audit budgets against what a legitimate phone call writes, measured through the real writer.</summary>
public sealed class AuditBudgetTests
{
    private const string StreamSid = "MZ00112233445566778899aabbccddeeff";
    private const int Frames = 3_000;

    [Fact]
    public async Task AnHourOfTwoWayPhoneAudio_FitsTheDefaultBudgets()
    {
        await using var pipeline = new AuditPipeline();
        pipeline.Options.Record = false;
        await pipeline.StartAsync();
        var recorder = new CallRecorder(pipeline.Trail, pipeline.Options, TimeProvider.System, NullLogger.Instance, "twilio", "pcm24k");
        recorder.Open("CA0123456789abcdef0123456789abcdef", new BridgeDecision { Model = "gpt-realtime", AudioFormat = "pcm24k" });
        var header = 0L;

        // A minute of both sides speaking at once, 20 ms at a time, as the bridge audits it: the caller's media in and
        // its append up, the assistant's delta down, its media and mark out, and the mark's echo.
        var mulaw = new byte[160];
        var pcm8 = new short[160];
        var pcm24 = new short[480];
        using var append = RealtimeAudioFrames.WriteInputAudioBufferAppend(new byte[960]);
        using var delta = RealtimeAudioFrames.WriteOutputAudioDelta(new byte[960], default, "resp_CXb8u1ZkCkd9gqM3xhWGp", "item_CXb8u1ZkCkd9gqM3xhWGq", 0, 0);
        for (var i = 0; i < Frames; i++)
        {
            var ms = (i * 20).ToString(CultureInfo.InvariantCulture);
            recorder.OnCallerAudio(new AudioFrame(Encoding.UTF8.GetBytes($$"""{"event":"media","sequenceNumber":"{{i + 3}}","media":{"track":"inbound","chunk":"{{i + 1}}","timestamp":"{{ms}}","payload":"{{Convert.ToBase64String(mulaw)}}"},"streamSid":"{{StreamSid}}"}"""), mulaw, pcm8, 8000));
            recorder.OnUpstreamAudioSent(new AudioFrame(append.Span, MemoryMarshal.AsBytes(pcm24.AsSpan()), pcm24, 24000));
            recorder.OnUpstreamAudio(new AudioFrame(delta.Span, MemoryMarshal.AsBytes(pcm24.AsSpan()), pcm24, 24000, 0, "item_CXb8u1ZkCkd9gqM3xhWGq"));
            recorder.OnCallerAudioSent(new AudioFrame(Encoding.UTF8.GetBytes($$$"""{"event":"media","streamSid":"{{{StreamSid}}}","media":{"payload":"{{{Convert.ToBase64String(mulaw)}}}"}}"""), mulaw, pcm8, 8000));
            recorder.OnCallerSent(Encoding.UTF8.GetBytes($$$"""{"event":"mark","streamSid":"{{{StreamSid}}}","mark":{"name":"m{{{ms}}}"}}"""));
            recorder.OnCallerMessage(Encoding.UTF8.GetBytes($$$"""{"event":"mark","sequenceNumber":"{{{i + 4}}}","streamSid":"{{{StreamSid}}}","mark":{"name":"m{{{ms}}}"}}"""), binary: false);
            if (i == 0)
            {
                header = recorder.Audit!.Records - 6;
            }
        }

        await recorder.CompleteAsync(CallEndReason.CallerHungUp, "stop");
        var lines = File.ReadAllLines(pipeline.FileOf("CA0123456789abcdef0123456789abcdef"));
        var frameLines = lines.Skip(1 + (int)header).Take(6 * Frames).ToList();
        var perFrame = frameLines.Sum(line => (double)line.Length + 1) / Frames;
        const int FramesPerHour = 50 * 3600;
        var defaults = new AuditOptions();

        Figures.Report("audit", string.Create(CultureInfo.InvariantCulture,
            $"audit budget: two-way phone audio writes 6 records, {perFrame:F0} bytes per 20 ms; an hour {6.0 * FramesPerHour / 1e6:F2} M records and {perFrame * FramesPerHour / (1 << 20):F0} MiB, a minute {perFrame * 3000 / (1 << 20):F1} MiB (defaults: {defaults.MaxRecordsPerCall} records and {defaults.MaxBytesPerCall >> 20} MiB per call, {defaults.MaxBytesPerMinute >> 20} MiB a minute)"));
        Assert.Equal(6 * Frames, frameLines.Count);
        Assert.Null(recorder.Audit!.BudgetSpent);
        Assert.InRange(6L * FramesPerHour, 1, defaults.MaxRecordsPerCall);
        Assert.InRange(perFrame * FramesPerHour, 1, defaults.MaxBytesPerCall);
        Assert.InRange(perFrame * 3000, 1, defaults.MaxBytesPerMinute / 2);
    }
}
