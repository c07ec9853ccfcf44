using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>
/// An in-memory span exporter (a processor, so spans arrive as they end) that signals when a call's span ends.
/// The ActivitySource is process-wide, so spans of calls in other tests arrive too: callers filter by trace id.
/// </summary>
internal sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _ended = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Activity>> _calls = new();

    public IReadOnlyList<Activity> InTrace(ActivityTraceId traceId) => _ended.Where(span => span.TraceId == traceId).ToList();

    public Task<Activity> CallEnded(string callSid) => Signal(callSid).Task;

    public override void OnEnd(Activity data)
    {
        _ended.Enqueue(data);
        if (data.OperationName == "call" && data.GetTagItem("twilio.call_sid") is string callSid)
        {
            Signal(callSid).TrySetResult(data);
        }
    }

    private TaskCompletionSource<Activity> Signal(string callSid) =>
        _calls.GetOrAdd(callSid, _ => new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously));
}
