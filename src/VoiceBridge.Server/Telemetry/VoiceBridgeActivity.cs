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
}
