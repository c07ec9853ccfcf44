extern alias cli;

using cli::VoiceBridge.Cli.Call;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>What a collector receives: the bridge configured only by the standard OTEL_* settings, exporting OTLP/HTTP.</summary>
public sealed class OtlpExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpointSet_CallTraceWithTurnSpansArrivesAtTheCollector()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var callSid = "CA" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var bridge = await BridgeUnderTest.StartAsync(configure: host =>
        {
            host.UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", collector.Endpoint.AbsoluteUri.TrimEnd('/'));
            host.UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
            // Batches leave every 200 ms instead of 5 s, so the call's trace arrives while the host still runs.
            host.UseSetting("OTEL_BSP_SCHEDULE_DELAY", "200");
        });
        await using (bridge)
        {
            using var http = new HttpClient();
            using var call = new FakeTwilioCall(
                new FakeTwilioCallOptions
                {
                    ServerUrl = bridge.BaseUri, AuthToken = BridgeUnderTest.AuthToken, CallSid = callSid,
                    CallerAudio = Signals.ToMuLaw(Signals.Voice(seconds: 0.8, silenceAfterSeconds: 0.2)), Tail = TimeSpan.FromSeconds(1.8),
                },
                http);
            var result = await call.RunAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            Assert.Equal(FakeTwilioCallOutcome.Completed, result.Outcome);

            // The call span ends last; spans are exported in the order they end, so its children are there by then.
            await collector.SpanArrived(span => span.Name == "call" && Equals(span.Attributes.GetValueOrDefault("twilio.call_sid"), callSid))
                .WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        Assert.NotEmpty(collector.Traces);
        Assert.All(collector.ContentTypes, type => Assert.StartsWith("application/x-protobuf", type, StringComparison.Ordinal));
        var spans = collector.Spans;
        var callSpan = Assert.Single(spans, span => span.Name == "call" && Equals(span.Attributes.GetValueOrDefault("twilio.call_sid"), callSid));
        Assert.Equal("caller_hung_up", callSpan.Attributes["voicebridge.end_reason"]);
        var trace = spans.Where(span => span.TraceId == callSpan.TraceId).ToList();
        var turn = Assert.Single(trace, span => span.Name == "turn");
        Assert.Equal(callSpan.SpanId, turn.ParentSpanId);
        Assert.IsType<double>(turn.Attributes["voicebridge.turn.first_audio_ms"]);
        Assert.Equal(1L, turn.Attributes["voicebridge.turn.number"]);
        Assert.Contains(trace, span => span.Name == "upstream.connect" && span.ParentSpanId == callSpan.SpanId);
    }
}
