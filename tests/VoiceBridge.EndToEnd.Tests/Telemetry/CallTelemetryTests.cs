extern alias cli;

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>
/// One simulated phone call through the real host (Kestrel on loopback, the simulator over a WebSocket, the CLI's fake
/// Twilio) with in-memory exporters: the spans, metrics and logs ops would see for it.
/// </summary>
public sealed partial class CallTelemetryTests
{
    private const string ApiKey = "sk-telemetry-test-secret-0123456789";
    private const double TextInPrice = 5;
    private const double AudioInPrice = 30;
    private const double TextOutPrice = 20;
    private const double AudioOutPrice = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SimulatedCall_HasCallSpanWithConnectAndTurnChildren_MetricsThatAddUp_AndLogsWithTraceIdsButNoContent()
    {
        var spans = new SpanCollector();
        var logs = new LogCapture();
        await using var bridge = await BridgeUnderTest.StartAsync(configure: host =>
        {
            host.UseSetting("Upstream:ApiKey", ApiKey);
            host.UseSetting("Telemetry:Prices:gpt-realtime:InputText", TextInPrice.ToString(CultureInfo.InvariantCulture));
            host.UseSetting("Telemetry:Prices:gpt-realtime:InputAudio", AudioInPrice.ToString(CultureInfo.InvariantCulture));
            host.UseSetting("Telemetry:Prices:gpt-realtime:OutputText", TextOutPrice.ToString(CultureInfo.InvariantCulture));
            host.UseSetting("Telemetry:Prices:gpt-realtime:OutputAudio", AudioOutPrice.ToString(CultureInfo.InvariantCulture));
            host.UseSetting("Serilog:MinimumLevel:Default", "Verbose");
            host.ConfigureTestServices(services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(spans));
                services.AddSingleton<ILogEventSink>(logs);
            });
        });
        using var metrics = new MetricRecorder(bridge.Services.GetRequiredService<IMeterFactory>());
        var callSid = "CA" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        using var twiml = new TwimlCapture();
        using var http = new HttpClient(twiml);
        var voice = Signals.ToMuLaw(Signals.Voice(seconds: 1.0, silenceAfterSeconds: 0.2));

        using var call = new FakeTwilioCall(
            new FakeTwilioCallOptions
            {
                ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallerAudio = voice, CallSid = callSid,
                Tail = TimeSpan.FromSeconds(2.2), PlayoutDelay = TimeSpan.FromMilliseconds(100),
            },
            http);
        var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var callSpan = await spans.CallEnded(callSid).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);
        AssertSpans(spans.InTrace(callSpan.TraceId), callSpan, result);
        AssertMetrics(metrics, result);
        AssertLogs(logs.Events, callSpan, callSid, twiml.Bodies.Single(), LocalPaths(bridge.Services.GetRequiredService<IHostEnvironment>()));
    }

    private static void AssertSpans(IReadOnlyList<Activity> trace, Activity callSpan, FakeTwilioCallResult result)
    {
        Assert.Equal("twilio", callSpan.GetTagItem("voicebridge.transport"));
        Assert.Equal(result.StreamSid, callSpan.GetTagItem("twilio.stream_sid"));
        Assert.Equal("OpenAI", callSpan.GetTagItem("voicebridge.upstream.provider"));
        Assert.Equal("gpt-realtime", callSpan.GetTagItem("gen_ai.request.model"));
        Assert.Equal("pcm24k", callSpan.GetTagItem("voicebridge.audio_format"));
        Assert.Equal("caller_hung_up", callSpan.GetTagItem("voicebridge.end_reason"));

        // The call span is a child of the WebSocket request's span, so one trace holds the whole call.
        Assert.Contains(trace, span => span.SpanId == callSpan.ParentSpanId && span.Kind == ActivityKind.Server);
        var children = trace.Where(span => span.ParentSpanId == callSpan.SpanId).ToList();
        var connect = Assert.Single(children, span => span.OperationName == "upstream.connect");
        Assert.Equal(ActivityStatusCode.Unset, connect.Status);
        var turn = Assert.Single(children, span => span.OperationName == "turn");
        var firstAudioMs = Assert.IsType<double>(turn.GetTagItem("voicebridge.turn.first_audio_ms"));
        var heardMs = Assert.IsType<double>(turn.GetTagItem("voicebridge.turn.heard_ms"));
        Assert.InRange(firstAudioMs, 0.01, 2000);
        Assert.True(heardMs >= firstAudioMs, $"heard at {heardMs} ms, first audio sent at {firstAudioMs} ms");
        Assert.True((long)turn.GetTagItem("gen_ai.usage.output_tokens")! > 0);
        Assert.True(turn.StartTimeUtc >= connect.StartTimeUtc + connect.Duration);
        // Never a span per frame: ~160 media frames each way went through this call.
        Assert.True(trace.Count < 10, $"{trace.Count} spans in the call's trace");
        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"telemetry: simulated call turn first audio {firstAudioMs:F1} ms, heard {heardMs:F1} ms (fake Twilio jitter buffer 100 ms), turn span {turn.Duration.TotalMilliseconds:F0} ms, {trace.Count} spans in the trace"));
    }

    private static void AssertMetrics(MetricRecorder metrics, FakeTwilioCallResult result)
    {
        var twilio = ("voicebridge.transport", "twilio");
        Assert.Equal(1, metrics.Sum("voicebridge.calls.started", twilio));
        Assert.Equal(1, metrics.Sum("voicebridge.calls.ended", twilio, ("voicebridge.end_reason", "caller_hung_up")));
        Assert.Equal(0, metrics.Sum("voicebridge.calls.active", twilio));
        Assert.Single(metrics.Of("voicebridge.upstream.connect.duration", ("voicebridge.outcome", "connected")));
        Assert.Empty(metrics.Of("voicebridge.upstream.connect.errors"));

        var callerIn = metrics.Sum("voicebridge.audio.frames", twilio, ("voicebridge.leg", "caller"), ("voicebridge.direction", "in"));
        Assert.Equal(result.FramesSent, callerIn);
        Assert.Equal(callerIn, metrics.Sum("voicebridge.audio.frames", ("voicebridge.leg", "upstream"), ("voicebridge.direction", "out")));
        Assert.Equal(result.FramesSent * 160, metrics.Sum("voicebridge.audio.bytes", ("voicebridge.leg", "caller"), ("voicebridge.direction", "in")));
        // μ-law 8 kHz → PCM16 24 kHz: six bytes upstream per byte from the caller.
        Assert.Equal(result.FramesSent * 160 * 6, metrics.Sum("voicebridge.audio.bytes", ("voicebridge.leg", "upstream"), ("voicebridge.direction", "out")));
        Assert.Equal(result.MediaReceived, metrics.Sum("voicebridge.audio.frames", ("voicebridge.leg", "caller"), ("voicebridge.direction", "out")));
        Assert.Equal(result.BytesReceived, metrics.Sum("voicebridge.audio.bytes", ("voicebridge.leg", "caller"), ("voicebridge.direction", "out")));
        var deltas = metrics.Sum("voicebridge.audio.frames", ("voicebridge.leg", "upstream"), ("voicebridge.direction", "in"));
        Assert.True(deltas > 0);

        var inboundHops = metrics.Of("voicebridge.bridge.hop.duration", ("voicebridge.direction", "inbound"));
        var outboundHops = metrics.Of("voicebridge.bridge.hop.duration", ("voicebridge.direction", "outbound"));
        Assert.Equal(callerIn, inboundHops.Count);
        // One outbound hop per delta: the delta arrived → its first 20 ms frame handed to Twilio.
        Assert.Equal(deltas, outboundHops.Count);
        Assert.All(inboundHops.Concat(outboundHops), hop => Assert.InRange(hop.Value, 0, 1));

        var firstAudio = Assert.Single(metrics.Of("voicebridge.turn.first_audio.latency", twilio)).Value;
        var heard = Assert.Single(metrics.Of("voicebridge.turn.heard.latency", twilio)).Value;
        Assert.True(heard >= firstAudio);
        Assert.Equal(1, metrics.Sum("voicebridge.turns", twilio));
        Assert.Equal(firstAudio > 0.450 ? 1 : 0, metrics.Sum("voicebridge.turns.slo_exceeded", twilio));
        Assert.Empty(metrics.Of("voicebridge.bargeins"));

        // The simulator reports usage like the API (audio tokens by duration); the cost follows the configured prices.
        var audioIn = metrics.Sum("voicebridge.tokens", ("gen_ai.token.type", "input"), ("voicebridge.modality", "audio"));
        var audioOut = metrics.Sum("voicebridge.tokens", ("gen_ai.token.type", "output"), ("voicebridge.modality", "audio"));
        Assert.True(audioIn > 0 && audioOut > 0, $"audio tokens in {audioIn}, out {audioOut}");
        var textIn = metrics.Sum("voicebridge.tokens", ("gen_ai.token.type", "input"), ("voicebridge.modality", "text"));
        var textOut = metrics.Sum("voicebridge.tokens", ("gen_ai.token.type", "output"), ("voicebridge.modality", "text"));
        var expectedCost = (textIn * TextInPrice + audioIn * AudioInPrice + textOut * TextOutPrice + audioOut * AudioOutPrice) / 1_000_000;
        var costs = metrics.Of("voicebridge.cost", ("gen_ai.request.model", "gpt-realtime"));
        var tokens = string.Join(", ", metrics.Of("voicebridge.tokens").Select(m => $"{m.Tags["gen_ai.token.type"]}/{m.Tags["voicebridge.modality"]}={m.Value}"));
        Assert.True(Math.Abs(expectedCost - costs.Sum(m => m.Value)) < 1e-12, $"cost {string.Join(" + ", costs.Select(c => c.Value))} for tokens {tokens}");

        Figures.Report(string.Create(CultureInfo.InvariantCulture,
            $"telemetry: bridge hop median inbound {Median(inboundHops) * 1e6:F0} µs, outbound {Median(outboundHops) * 1e6:F0} µs over {inboundHops.Count} frames in, {outboundHops.Count} deltas out (received → handed to the other socket, this shared machine)"));
    }

    private static void AssertLogs(IReadOnlyList<LogEvent> events, Activity callSpan, string callSid, string twiml, IReadOnlyList<string> localPaths)
    {
        var callToken = CallTokenPattern().Match(twiml).Groups[1].Value;
        Assert.NotEmpty(callToken);

        // Every line the session wrote while the call ran carries the call's trace and span ids.
        var session = events.Where(e => e.Properties.TryGetValue("SourceContext", out var context) && IsCallSession(context.ToString())).ToList();
        Assert.NotEmpty(session);
        Assert.All(session, e => Assert.Equal(callSpan.TraceId, e.TraceId));
        Assert.All(session, e => Assert.Equal(callSpan.SpanId, e.SpanId));
        var started = Assert.Single(session, e => e.Properties.TryGetValue("EventId", out var id) && id.ToString().Contains("1200", StringComparison.Ordinal));
        Assert.Equal(callSid, ((ScalarValue)started.Properties["CallId"]).Value);

        // The production format: compact JSON with the ids (@tr, @sp) on each line.
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var formatter = new RenderedCompactJsonFormatter();
        foreach (var e in events)
        {
            formatter.Format(e, text);
        }

        // Paths are not content, and a clone's path can hold a 40-character run of letters and slashes
        // ("/tmp/r1314/empty2/voicebridge/tests/VoiceBridge" in "Content root path: …"): they are taken out before the
        // search for base64, so a deep clone does not fail the test and audio anywhere else still does.
        var all = text.ToString();
        foreach (var path in localPaths)
        {
            all = all.Replace(path, "<path>", StringComparison.Ordinal);
        }

        Assert.Contains("\"@tr\":\"" + callSpan.TraceId.ToHexString() + "\"", all, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiKey, all, StringComparison.Ordinal);
        Assert.DoesNotContain(BridgeUnderTest.AuthToken, all, StringComparison.Ordinal);
        Assert.DoesNotContain(callToken, all, StringComparison.Ordinal);
        // No audio: base64 of even 30 bytes of μ-law or PCM is a 40-character run; ids and hashes here are hex and shorter.
        Assert.DoesNotMatch(Base64Run(), all);
        // No protocol payloads (transcripts travel as "delta"/"transcript" fields, audio as "audio"/"payload").
        Assert.DoesNotMatch(ContentField(), all);
        Assert.DoesNotContain(events, e => e.Level >= LogEventLevel.Debug && e.MessageTemplate.Text.Contains("frame", StringComparison.OrdinalIgnoreCase));
    }

    // The call's own lines: the call core's and its Twilio leg's.
    private static bool IsCallSession(string sourceContext) =>
        sourceContext.Contains(".Core.CallSession", StringComparison.Ordinal) || sourceContext.Contains(".Twilio.TwilioLeg", StringComparison.Ordinal);

    /// <summary>Directories of this machine that the host may log (content root, build output, working directory), longest first.</summary>
    private static string[] LocalPaths(IHostEnvironment environment) =>
        [.. new[] { environment.ContentRootPath, AppContext.BaseDirectory, Environment.CurrentDirectory }
            .Select(path => Path.TrimEndingDirectorySeparator(path))
            .Where(path => path.Length > 1)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(path => path.Length)];

    private static double Median(IReadOnlyList<MetricRecorder.Measurement> values) =>
        values.Select(v => v.Value).Order().ElementAt(values.Count / 2);

    [GeneratedRegex("name=\"callToken\" value=\"([^\"]+)\"")]
    private static partial Regex CallTokenPattern();

    [GeneratedRegex("[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex Base64Run();

    [GeneratedRegex("\\\\?\"(delta|transcript|audio|payload)\\\\?\"\\s*:")]
    private static partial Regex ContentField();
}
