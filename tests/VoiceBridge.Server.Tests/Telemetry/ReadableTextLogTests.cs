using System.Diagnostics;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>The Development console's lines: trace and span ids when an activity is current, nothing otherwise.</summary>
public sealed class ReadableTextLogTests
{
    [Fact]
    public void LineOutsideAnActivity_EndsWithTheMessage_LineInsideOne_EndsWithItsTraceAndSpan()
    {
        var output = new StringWriter();
        var captured = new CapturingSink();
        using (var logger = new LoggerConfiguration().WriteTo.ReadableText(new TemplateSink(output)).WriteTo.Sink(captured).CreateLogger())
        {
            logger.ForContext(Constants.SourceContextPropertyName, "VoiceBridge.Test").Information("Application started");
            using var activity = new Activity("call").SetIdFormat(ActivityIdFormat.W3C).Start();
            logger.ForContext(Constants.SourceContextPropertyName, "VoiceBridge.Test").Information("Call {CallSid} started", "CA1");
        }

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\.\d{3} INF\] VoiceBridge\.Test: Application started$", lines[0]);
        Assert.Matches(@"^\[\d\d:\d\d:\d\d\.\d{3} INF\] VoiceBridge\.Test: Call CA1 started \{trace [0-9a-f]{32} span [0-9a-f]{16}\}$", lines[1]);
        // The suffix is the console's own: other sinks (and the OTLP provider) never see the property.
        Assert.All(captured.Events, e => Assert.False(e.Properties.ContainsKey(TraceSuffixEnricher.PropertyName)));
        Assert.Equal(2, captured.Events.Count);
    }

    // What the console sink does with the template, without colours.
    private sealed class TemplateSink(TextWriter output) : ILogEventSink
    {
        private readonly MessageTemplateTextFormatter _formatter = new(ReadableTextLog.OutputTemplate, System.Globalization.CultureInfo.InvariantCulture);

        public void Emit(LogEvent logEvent) => _formatter.Format(logEvent, output);
    }

    private sealed class CapturingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }
}
