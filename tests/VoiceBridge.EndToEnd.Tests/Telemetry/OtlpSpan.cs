namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>The fields of an OTLP span this test reads; attributes hold string, bool, int and double values.</summary>
internal sealed record OtlpSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, object> Attributes);
