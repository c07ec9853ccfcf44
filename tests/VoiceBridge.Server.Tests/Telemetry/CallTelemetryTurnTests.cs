using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>The turn clock on a fake time line: the latencies, SLO count, usage and cost a call reports are exact.</summary>
public sealed class CallTelemetryTurnTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ServiceProvider _services;
    private readonly List<Activity> _spans = [];
    private readonly TracerProvider _tracer;
    private readonly MeterListener _listener = new();
    private readonly List<(string Name, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public CallTelemetryTurnTests()
    {
        _services = new ServiceCollection().AddMetrics().AddSingleton<VoiceBridgeMetrics>().BuildServiceProvider();
        var meters = _services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
        _tracer = Sdk.CreateTracerProviderBuilder().AddSource(VoiceBridgeActivity.SourceName).AddInMemoryExporter(_spans).Build();
    }

    [Fact]
    public void Turn_FirstAudioAndHeardMeasuredFromSpeechStopped_OverBudgetCounted_UsagePriced()
    {
        using var call = StartCall(sloMs: 250);

        call.OnUpstreamEvent(RealtimeEventType.InputAudioBufferSpeechStopped, default);
        _time.Advance(TimeSpan.FromMilliseconds(120));
        // A function-call response first: no audio, the turn goes on.
        call.OnUpstreamEvent(RealtimeEventType.ResponseCreated, default);
        call.OnUpstreamEvent(RealtimeEventType.ResponseDone, ResponseDone(input: (2, 8, 4), output: (5, 0)));
        _time.Advance(TimeSpan.FromMilliseconds(180));
        call.OnUpstreamEvent(RealtimeEventType.ResponseCreated, default);
        call.OnCallerFrameSent(160);
        call.OnMarkSent(1);
        call.OnCallerFrameSent(160);
        call.OnMarkSent(2);
        _time.Advance(TimeSpan.FromMilliseconds(50));
        call.OnUpstreamEvent(RealtimeEventType.ResponseDone, ResponseDone(input: (0, 0, 0), output: (0, 15)));
        _time.Advance(TimeSpan.FromMilliseconds(150));
        call.OnMarkEchoed(1, MarkEchoKind.Played);
        call.OnMarkEchoed(2, MarkEchoKind.Played);
        call.End(CallEndReason.CallerHungUp);

        Assert.Equal(0.300, Single("voicebridge.turn.first_audio.latency"), 6);
        Assert.Equal(0.500, Single("voicebridge.turn.heard.latency"), 6);
        Assert.Equal(1, Single("voicebridge.turns"));
        Assert.Equal(1, Single("voicebridge.turns.slo_exceeded"));
        var turn = Assert.Single(Spans(call), s => s.OperationName == "turn");
        Assert.Equal(300.0, turn.GetTagItem("voicebridge.turn.first_audio_ms"));
        Assert.Equal(500.0, turn.GetTagItem("voicebridge.turn.heard_ms"));
        Assert.Equal(true, turn.GetTagItem("voicebridge.turn.slo_exceeded"));
        Assert.Equal(10L, turn.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal(20L, turn.GetTagItem("gen_ai.usage.output_tokens"));
        // Cached input tokens come off the audio count: 2 text × 4 + (8−4) audio × 32 + 4 cached × 0.4 + 5 × 16 + 15 × 64, per million.
        Assert.Equal((2 * 4 + 4 * 32 + 4 * 0.4 + 5 * 16 + 15 * 64) / 1e6, _measurements.Where(m => m.Name == "voicebridge.cost").Sum(m => m.Value), 12);
        Assert.Equal(15, _measurements.Where(m => m.Name == "voicebridge.tokens" && Equals(m.Tags["gen_ai.token.type"], "output") && Equals(m.Tags["voicebridge.modality"], "audio")).Sum(m => m.Value));
    }

    [Fact]
    public void SpeechOverUnplayedAudio_IsOneBargeIn_WithItsSpan_AndInterruptsTheTurn()
    {
        using var call = StartCall(sloMs: 450);
        call.OnUpstreamEvent(RealtimeEventType.InputAudioBufferSpeechStopped, default);
        call.OnUpstreamEvent(RealtimeEventType.ResponseCreated, default);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        call.OnCallerFrameSent(160);
        call.OnMarkSent(1);
        call.OnUpstreamEvent(RealtimeEventType.ResponseDone, ResponseDone(input: (0, 10, 0), output: (0, 10)));

        // Generation is done but Twilio has not played mark 1 yet: the caller talks over audio they are hearing.
        call.OnUpstreamEvent(RealtimeEventType.InputAudioBufferSpeechStarted, default);
        call.OnMarkEchoed(1, MarkEchoKind.Cleared);
        // Speech with nothing playing is not a barge-in.
        call.OnUpstreamEvent(RealtimeEventType.InputAudioBufferSpeechStarted, default);
        call.End(CallEndReason.CallerHungUp);

        Assert.Equal(1, _measurements.Where(m => m.Name == "voicebridge.bargeins").Sum(m => m.Value));
        Assert.Single(Spans(call), s => s.OperationName == "barge-in");
        var turn = Assert.Single(Spans(call), s => s.OperationName == "turn");
        Assert.Equal(true, turn.GetTagItem("voicebridge.turn.interrupted"));
        Assert.Null(turn.GetTagItem("voicebridge.turn.heard_ms"));
        Assert.DoesNotContain(_measurements, m => m.Name == "voicebridge.turn.heard.latency");
    }

    [Theory]
    [InlineData("webrtc", 240, false)]
    [InlineData("sip", 260, true)]
    public void DirectTurn_FirstAudioIsOutputAudioBufferStarted_AgainstTheDirectBudget_TaggedWithItsTransport(string transport, int ms, bool over)
    {
        // Relayed budget 450 ms, direct 250 ms: a direct turn at 260 ms is over its own budget though under the relayed one.
        using var call = StartCall(sloMs: 450, transport, directSloMs: 250);

        call.OnUpstreamEvent(RealtimeEventType.InputAudioBufferSpeechStopped, default);
        _time.Advance(TimeSpan.FromMilliseconds(40));
        call.OnUpstreamEvent(RealtimeEventType.ResponseCreated, default);
        _time.Advance(TimeSpan.FromMilliseconds(ms - 40));
        // The audio runs between the caller and the model; the sideband says when it starts playing.
        call.OnUpstreamEvent(RealtimeEventType.OutputAudioBufferStarted, default);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        call.OnUpstreamEvent(RealtimeEventType.ResponseDone, ResponseDone(input: (0, 0, 0), output: (0, 15)));
        call.End(CallEndReason.CallerHungUp);

        var latency = Assert.Single(_measurements, m => m.Name == "voicebridge.turn.first_audio.latency");
        Assert.Equal(ms / 1000.0, latency.Value, 6);
        Assert.Equal(transport, latency.Tags["voicebridge.transport"]);
        Assert.Equal(over ? 1 : 0, _measurements.Where(m => m.Name == "voicebridge.turns.slo_exceeded").Sum(m => m.Value));
        var turn = Assert.Single(Spans(call), s => s.OperationName == "turn");
        Assert.Equal((double)ms, turn.GetTagItem("voicebridge.turn.first_audio_ms"));
        Assert.Equal(over, turn.GetTagItem("voicebridge.turn.slo_exceeded"));
    }

    public void Dispose()
    {
        _tracer.Dispose();
        _listener.Dispose();
        _services.Dispose();
    }

    private CallTelemetry StartCall(int sloMs, string transport = "twilio", int? directSloMs = null)
    {
        var options = Options.Create(new TelemetryOptions());
        var price = new ModelPrice { InputText = 4, InputAudio = 32, CachedInput = 0.4, OutputText = 16, OutputAudio = 64 };
        var context = new CallTelemetryContext("Simulator", "gpt-realtime", sloMs, price, new UpstreamHealth(options, _time), _time, NullLogger.Instance) { DirectFirstAudioSloMs = directSloMs ?? sloMs };
        var call = new CallTelemetry(transport, _services.GetRequiredService<VoiceBridgeMetrics>(), context);
        call.OnStarted("CA" + Guid.NewGuid().ToString("N"), "MZ1", "pcm24k", 6);
        return call;
    }

    private List<Activity> Spans(CallTelemetry call) => _spans.Where(s => s.TraceId == call.Activity!.TraceId && s.ParentSpanId == call.Activity.SpanId).ToList();

    private double Single(string name) => Assert.Single(_measurements, m => m.Name == name).Value;

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, new Dictionary<string, object?>(tags.ToArray())));
        }
    }

    private static byte[] ResponseDone((int Text, int Audio, int Cached) input, (int Text, int Audio) output)
    {
        var usage = $"\"total_tokens\":{input.Text + input.Audio + output.Text + output.Audio},\"input_tokens\":{input.Text + input.Audio},\"output_tokens\":{output.Text + output.Audio},"
            + $"\"input_token_details\":{{\"text_tokens\":{input.Text},\"audio_tokens\":{input.Audio},\"cached_tokens\":{input.Cached}}},"
            + $"\"output_token_details\":{{\"text_tokens\":{output.Text},\"audio_tokens\":{output.Audio}}}";
        return Encoding.UTF8.GetBytes(
            "{\"type\":\"response.done\",\"event_id\":\"event_1\",\"response\":{\"id\":\"resp_1\",\"object\":\"realtime.response\",\"status\":\"completed\",\"output\":[],\"usage\":{"
            + usage + "}}}");
    }
}
