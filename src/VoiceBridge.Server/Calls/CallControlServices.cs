using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tools;
using VoiceBridge.Server.Twilio;

using SessionOptions = VoiceBridge.Server.Core.SessionOptions;

namespace VoiceBridge.Server.Calls;

/// <summary>What every call's <see cref="CallController"/> shares: the tools, Twilio's REST API, the session options, the clock.</summary>
internal sealed class CallControlServices(
    ToolCatalog tools,
    TwilioRestClient twilio,
    IOutboundInstructions outbound,
    IOptions<SessionOptions> session,
    TimeProvider time,
    ILoggerFactory loggers) : ICallFeatureFactory
{
    public ToolCatalog Tools { get; } = tools;

    public TwilioRestClient Twilio { get; } = twilio;

    public IOutboundInstructions Outbound { get; } = outbound;

    public SessionOptions Session { get; } = session.Value;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = loggers.CreateLogger<CallController>();

    /// <summary>A controller for one call (every transport gets one: tools, idle handling and the operator's commands).</summary>
    public ICallFeature Create(string transport) => new CallController(this, transport);
}
