using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using VoiceBridge.Server.Tests.Browser;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>A browser session through the real host and the embedded simulator: its span tree and its metrics.</summary>
public sealed class BrowserTelemetryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BrowserSession_HasCallSpanWithSessionIdConnectAndTurn_AndCountsItsFrames()
    {
        var spans = new EndedSpans();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
            host.ConfigureTestServices(services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(spans))));
        using var app = BrowserApp.Create(factory);
        var counts = new ConcurrentDictionary<string, double>();
        using var listener = Listen(app.Factory.Services.GetRequiredService<IMeterFactory>(), counts);

        // The request carries our own trace id, so this session's spans are told apart from other tests' sessions.
        var traceId = ActivityTraceId.CreateRandom();
        var token = await app.MintAsync();
        var ws = app.Factory.Server.CreateWebSocketClient();
        ws.ConfigureRequest = request =>
        {
            request.Headers.Authorization = "Bearer " + token;
            request.Headers["traceparent"] = $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";
        };
        using var client = new RealtimeTestClient(await ws.ConnectAsync(new Uri("ws://localhost/v1/realtime"), Ct));
        await client.NextAsync("session.created");
        await client.SendAudioAsync(BrowserSignals.Utterance(24000, leadMs: 200, speechMs: 800, trailMs: 700), 24000);
        await client.NextAsync("response.done");
        var deltas = client.Received.Count(e => e["type"]!.GetValue<string>() == "response.output_audio.delta");
        await client.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);
        var call = await spans.CallEnded(traceId).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        // The per-frame counters are observed when an exporter collects; collect now.
        listener.RecordObservableInstruments();

        Assert.Equal("browser", call.GetTagItem("voicebridge.transport"));
        Assert.StartsWith("browser_", (string)call.GetTagItem("voicebridge.session.id")!, StringComparison.Ordinal);
        Assert.Equal("Simulator", call.GetTagItem("voicebridge.upstream.provider"));
        Assert.Equal("caller_closed", call.GetTagItem("voicebridge.end_reason"));
        var children = spans.InTrace(traceId).Where(span => span.ParentSpanId == call.SpanId).ToList();
        Assert.Single(children, span => span.OperationName == "upstream.connect");
        var turn = Assert.Single(children, span => span.OperationName == "turn");
        Assert.IsType<double>(turn.GetTagItem("voicebridge.turn.first_audio_ms"));
        Assert.Null(turn.GetTagItem("voicebridge.turn.heard_ms"));

        Assert.Equal(1, counts.GetValueOrDefault("voicebridge.calls.started"));
        Assert.Equal(1, counts.GetValueOrDefault("voicebridge.calls.ended"));
        Assert.Equal(0, counts.GetValueOrDefault("voicebridge.calls.active"));
        Assert.Equal(1, counts.GetValueOrDefault("voicebridge.turns"));
        Assert.Equal(deltas, counts.GetValueOrDefault("voicebridge.audio.frames caller out"));
        Assert.Equal(deltas, counts.GetValueOrDefault("voicebridge.audio.frames upstream in"));
        Assert.True(counts.GetValueOrDefault("voicebridge.audio.frames caller in") > 0);
        Assert.Equal(counts.GetValueOrDefault("voicebridge.audio.frames caller in"), counts.GetValueOrDefault("voicebridge.audio.frames upstream out"));
        // 24 kHz in from the client, 24 kHz up: the same bytes on both legs.
        Assert.Equal(counts.GetValueOrDefault("voicebridge.audio.bytes caller in"), counts.GetValueOrDefault("voicebridge.audio.bytes upstream out"));
    }

    // Sums per instrument, and per leg and direction for the audio instruments; an observable counter reports its
    // running total, so its last observation is kept.
    private static MeterListener Listen(IMeterFactory hostMeters, ConcurrentDictionary<string, double> counts)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == hostMeters)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? leg = null, direction = null;
            foreach (var tag in tags)
            {
                leg = tag.Key == "voicebridge.leg" ? (string?)tag.Value : leg;
                direction = tag.Key == "voicebridge.direction" ? (string?)tag.Value : direction;
            }

            var key = leg is null ? instrument.Name : $"{instrument.Name} {leg} {direction}";
            counts.AddOrUpdate(key, value, (_, sum) => instrument.IsObservable ? value : sum + value);
        });
        listener.Start();
        return listener;
    }

    private sealed class EndedSpans : BaseProcessor<Activity>
    {
        private readonly ConcurrentQueue<Activity> _ended = new();
        private readonly ConcurrentDictionary<ActivityTraceId, TaskCompletionSource<Activity>> _calls = new();

        public IEnumerable<Activity> InTrace(ActivityTraceId traceId) => _ended.Where(span => span.TraceId == traceId);

        public Task<Activity> CallEnded(ActivityTraceId traceId) => Signal(traceId).Task;

        public override void OnEnd(Activity data)
        {
            _ended.Enqueue(data);
            if (data.OperationName == "call")
            {
                Signal(data.TraceId).TrySetResult(data);
            }
        }

        private TaskCompletionSource<Activity> Signal(ActivityTraceId traceId) =>
            _calls.GetOrAdd(traceId, _ => new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
