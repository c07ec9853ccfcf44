using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>What the phone and browser call harnesses share: a real WebSocket pair on loopback, and a call core session.</summary>
internal static class HarnessCall
{
    /// <summary>A loopback TCP pair with a WebSocket on each end: the caller's (client) and the bridge's (server).</summary>
    public static async Task<(TcpClient Client, TcpClient Server, WebSocket Caller, WebSocket Bridge)> ConnectAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var connect = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await listener.AcceptTcpClientAsync();
        await connect;

        var caller = WebSocket.CreateFromStream(client.GetStream(), new WebSocketCreationOptions { IsServer = false });
        var bridge = WebSocket.CreateFromStream(server.GetStream(), new WebSocketCreationOptions { IsServer = true });
        return (client, server, caller, bridge);
    }

    /// <summary>The call core around <paramref name="leg"/>, observed by its transcript and (when given) the audit recorder.</summary>
    public static CallSession Session(
        ICallerLeg leg, IRealtimeConnector connector, TimeProvider time, UpstreamReconnect? reconnect, CallControlServices? control, Server.Audit.CallRecorder? audit)
    {
        var session = new CallSession(leg, new CallServices
        {
            Connector = connector,
            Time = time,
            Logger = NullLogger.Instance,
            Reconnect = reconnect,
            Features = control is null ? [] : [control],
        });
        var observers = new List<ICallObserver> { session.Transcript };
        if (audit is not null)
        {
            audit.Attach(session);
            observers.Add(audit);
        }

        session.Observe(new CallObservers([.. observers]));
        return session;
    }
}
