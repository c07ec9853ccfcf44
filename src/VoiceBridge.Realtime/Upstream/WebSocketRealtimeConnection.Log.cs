using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

internal sealed partial class WebSocketRealtimeConnection
{
    // The one line per session end: reason, close status and a description written by us or the peer's close
    // reason. Never the key, never an event payload.
    [LoggerMessage(EventId = 2103, Message = "Upstream session ended: {Reason}, close status {CloseStatus}: {Description} ({DroppedAudioMessages} audio messages dropped)")]
    private static partial void LogSessionEnded(ILogger logger, LogLevel level, UpstreamEndReason reason, int? closeStatus, string description, long droppedAudioMessages);
}
