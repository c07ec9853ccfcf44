using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

public sealed partial class WebSocketRealtimeConnector
{
    // The host and path only: the query carries just the model, the key travels in a header that is never logged.
    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Upstream connect to {Endpoint} failed: {Reason}, HTTP status {HttpStatus}: {Description}")]
    private static partial void LogConnectFailed(ILogger logger, string endpoint, UpstreamEndReason reason, int? httpStatus, string description);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Upstream connected to {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string endpoint);
}
