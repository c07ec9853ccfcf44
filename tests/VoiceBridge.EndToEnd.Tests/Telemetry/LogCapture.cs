using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace VoiceBridge.EndToEnd.Tests.Telemetry;

/// <summary>A Serilog sink registered in the host's services (the host reads sinks from DI): every event of that host.</summary>
internal sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => _events.ToList();

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
}
