using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Browser;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>A client that never reads: the bounded send queue fills and the session ends with a reason.</summary>
public sealed class BrowserBackpressureTests
{
    [Fact]
    public async Task ClientThatNeverReads_IsClosedAsNotReading_AfterABoundedQueue()
    {
        var (serverStream, clientStream) = DuplexPipeStream.CreatePair(clientReadBufferBytes: 64 * 1024);
        using var server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true });
        using var client = WebSocket.CreateFromStream(clientStream, new WebSocketCreationOptions { IsServer = false });
        var upstream = new FloodingUpstream();
        var filter = new SessionFieldFilter(new HashSet<string>(), exposeTools: false);
        var leg = new RealtimeClientLeg(server, filter, EffectiveSession.Build(new SessionPolicy(), null)!,
            new BrowserSessionSettings { SendQueueCapacity = 16 }, exposeTools: false, TimeProvider.System, NullLogger.Instance);
        using var session = new CallSession(leg, new CallServices { Connector = upstream, Time = TimeProvider.System, Logger = NullLogger.Instance });
        session.Observe(new CallObservers([session.Transcript]));

        var outstandingBefore = RealtimeMessage.Outstanding;
        var reason = await session.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(CallEndReason.CallerNotReading, reason);
        // Bounded: what was taken from the upstream is the queue, the pipe's 64 KiB and what was in flight — not the flood.
        Assert.InRange(upstream.Flooded, 16, 64);
        Figures.Report("browser", $"browser: never-reading client (queue 16, 64 KiB pipe): upstream events taken before closing: {upstream.Flooded}; outstanding messages before/after: {outstandingBefore}/{RealtimeMessage.Outstanding}");
    }
}
