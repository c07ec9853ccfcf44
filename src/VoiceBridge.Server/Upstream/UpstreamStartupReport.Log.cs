using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Server.Upstream;

internal sealed partial class UpstreamStartupReport
{
    // The key is never part of this line; the URL carries no secret (keys travel in headers).
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Upstream: {Provider} at {Target}, model {Model}, audio {AudioFormat}, voice {Voice}")]
    private static partial void LogUpstream(ILogger logger, UpstreamProvider provider, string target, string model, UpstreamAudioFormat audioFormat, string voice);
}
