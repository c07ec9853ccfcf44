using Serilog.Core;
using Serilog.Events;

namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// Adds <see cref="PropertyName"/> = <c> {trace … span …}</c> to an event written under an activity, and nothing to one
/// written outside any: an output template cannot make literal text conditional, so a fixed <c>{trace {TraceId} …}</c>
/// ended every start-up line in an empty <c>{trace  span }</c>.
/// </summary>
internal sealed class TraceSuffixEnricher : ILogEventEnricher
{
    public const string PropertyName = "TraceSuffix";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        if (logEvent.TraceId is { } trace)
        {
            logEvent.AddPropertyIfAbsent(new LogEventProperty(PropertyName, new ScalarValue($" {{trace {trace} span {logEvent.SpanId}}}")));
        }
    }
}
