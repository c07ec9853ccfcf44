using Microsoft.Extensions.Options;
using VoiceBridge.Server.Sessions;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;
using SessionOptions = VoiceBridge.Server.Sessions.SessionOptions;

namespace VoiceBridge.Server.Calls;

/// <summary>What every call's <see cref="CallController"/> shares: the tools, Twilio's REST API, the session options, the clock.</summary>
internal sealed class CallControlServices(
    ToolCatalog tools,
    TwilioRestClient twilio,
    OutboundCalls outbound,
    IOptions<SessionOptions> session,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public ToolCatalog Tools { get; } = tools;

    public TwilioRestClient Twilio { get; } = twilio;

    public OutboundCalls Outbound { get; } = outbound;

    public SessionOptions Session { get; } = session.Value;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = loggers.CreateLogger<CallController>();

    /// <summary>A controller for one call; <paramref name="isPlaying"/> tells whether assistant audio still waits to be heard.</summary>
    public CallController Create(string transport, Func<bool> isPlaying, Action<CallEndReason, string> stop) =>
        new(this, transport, isPlaying, stop);
}
