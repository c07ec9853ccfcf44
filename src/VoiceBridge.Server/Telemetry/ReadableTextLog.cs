using Serilog;
using Serilog.Configuration;
using Serilog.Core;

namespace VoiceBridge.Server.Telemetry;

/// <summary>The Development console: one readable line per event, the trace and span ids at the end when there are any.</summary>
internal static class ReadableTextLog
{
    public const string OutputTemplate =
        "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{" + TraceSuffixEnricher.PropertyName + ":l}{NewLine}{Exception}";

    /// <summary>
    /// To the console formatted with <see cref="OutputTemplate"/>, or to <paramref name="sink"/> when given (a test's).
    /// A sub-logger, so the suffix property it adds stays out of the events other sinks and providers (OTLP) receive.
    /// </summary>
    public static LoggerConfiguration ReadableText(this LoggerSinkConfiguration writeTo, ILogEventSink? sink = null)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return writeTo.Logger(text =>
        {
            text.Enrich.With<TraceSuffixEnricher>();
            _ = sink is null
                ? text.WriteTo.Console(outputTemplate: OutputTemplate, formatProvider: culture)
                : text.WriteTo.Sink(sink);
        });
    }
}
