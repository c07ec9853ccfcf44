using System.Diagnostics;

namespace VoiceBridge.Server.Telemetry;

/// <summary>The one <see cref="ActivitySource"/> of the bridge and the names of its spans (never one per frame).</summary>
internal static class VoiceBridgeActivity
{
    public const string SourceName = "VoiceBridge";

    public const string Call = "call";

    public const string UpstreamConnect = "upstream.connect";

    public const string Turn = "turn";

    public const string BargeIn = "barge-in";

    /// <summary>Tool spans are named <c>execute_tool {name}</c> after the OpenTelemetry GenAI conventions.</summary>
    public const string ToolPrefix = "execute_tool ";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>
    /// Starts a span for one tool call under the current span (the call's: it is current on every task the call runs)
    /// and makes it current, so HttpClient requests the tool makes are its children and carry the call's trace context
    /// (W3C traceparent). Dispose it when the tool is done; mark failures with <see cref="Activity.SetStatus"/>. Arguments
    /// and results are content: never put them on the span. Null when nothing listens.
    /// </summary>
    public static Activity? StartToolCall(string name, string? toolCallId, string callId)
    {
        var tool = Source.StartActivity(ToolPrefix + name, ActivityKind.Internal);
        if (tool is { IsAllDataRequested: true })
        {
            tool.SetTag("gen_ai.operation.name", "execute_tool");
            tool.SetTag("gen_ai.tool.name", name);
            tool.SetTag("gen_ai.tool.call.id", toolCallId);
            tool.SetTag("voicebridge.call.id", callId);
        }

        return tool;
    }
}
