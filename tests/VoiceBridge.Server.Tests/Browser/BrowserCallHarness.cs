using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Browser;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// One browser call (the call core with a <see cref="RealtimeClientLeg"/>) between a Realtime client (a real WebSocket
/// over a loopback TCP pair) and a <see cref="ScriptedUpstream"/> or another connector: the browser counterpart of
/// <see cref="TwilioCallHarness"/>. The test plays the client: it sends client events and reads the server events.
/// </summary>
internal sealed class BrowserCallHarness : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly TcpClient _server;
    private readonly byte[] _receiveBuffer = new byte[4 * 1024 * 1024];

    private BrowserCallHarness(TcpClient client, TcpClient server, WebSocket browser, WebSocket bridgeSide, CallSession session, RealtimeClientLeg leg, ScriptedUpstream upstream)
    {
        _client = client;
        _server = server;
        Browser = browser;
        BridgeSide = bridgeSide;
        Session = session;
        Leg = leg;
        Upstream = upstream;
    }

    public WebSocket Browser { get; }

    public WebSocket BridgeSide { get; }

    public CallSession Session { get; }

    public RealtimeClientLeg Leg { get; }

    public ScriptedUpstream Upstream { get; }

    public Task<CallEndReason> Run { get; private set; } = null!;

    /// <summary>Every server event the client received, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public string? CloseDescription { get; private set; }

    /// <param name="policy">The server policy; the default one when null.</param>
    /// <param name="upstream">The scripted upstream; a new one when null.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <param name="connector">Another upstream (a sequence, the simulator) instead of <paramref name="upstream"/>.</param>
    /// <param name="control">Call control (tools, idle, operator commands); none when null.</param>
    /// <param name="reconnect">The call's reconnect policy; null: none (a lost upstream ends the call).</param>
    /// <param name="audit">The call's audit recorder; none when null.</param>
    /// <param name="exposeTools"><c>Browser:ExposeTools</c>.</param>
    /// <param name="settings">The per-connection caps; the defaults when null.</param>
    public static async Task<BrowserCallHarness> CreateAsync(
        SessionPolicy? policy = null,
        ScriptedUpstream? upstream = null,
        TimeProvider? time = null,
        IRealtimeConnector? connector = null,
        CallControlServices? control = null,
        UpstreamReconnect? reconnect = null,
        Server.Audit.CallRecorder? audit = null,
        bool exposeTools = false,
        BrowserSessionSettings? settings = null)
    {
        var (client, server, browser, bridgeSide) = await HarnessCall.ConnectAsync();
        upstream ??= new ScriptedUpstream();
        time ??= TimeProvider.System;
        var filter = new SessionFieldFilter(new BrowserOptions().ClientMayChangePaths(), exposeTools, "gpt-realtime");
        var leg = new RealtimeClientLeg(bridgeSide, filter, EffectiveSession.Build(policy ?? new SessionPolicy(), null)!,
            settings ?? new BrowserSessionSettings(), exposeTools, time, NullLogger.Instance);
        var session = HarnessCall.Session(leg, connector ?? upstream, time, reconnect, control, audit);
        var harness = new BrowserCallHarness(client, server, browser, bridgeSide, session, leg, upstream);
        harness.Run = session.RunAsync(CancellationToken.None);
        return harness;
    }

    public async Task SendAsync(string json) =>
        await Browser.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendAsync(JsonNode json) => SendAsync(json.ToJsonString());

    public async Task SendBinaryAsync(byte[] bytes) =>
        await Browser.SendAsync(bytes, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);

    /// <summary>Sends a message the bridge may close the connection in the middle of (oversized input).</summary>
    public async Task SendExpectingCloseAsync(string json)
    {
        try
        {
            await SendAsync(json);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            // The bridge closed the connection while the message was still being sent: the expected outcome.
        }
    }

    /// <summary>PCM16 24 kHz audio in 100 ms appends, like a browser's capture callback.</summary>
    public async Task SendAudioAsync(byte[] pcm)
    {
        const int Chunk = 4800;
        for (var offset = 0; offset < pcm.Length; offset += Chunk)
        {
            await SendAsync("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(pcm.AsSpan(offset, Math.Min(Chunk, pcm.Length - offset))) + "\"}");
        }
    }

    /// <summary>The next server event, or null once the bridge closed (its close frame is answered, as clients do).</summary>
    public async Task<JsonObject?> ReceiveAsync()
    {
        if (Browser.State is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var length = 0;
        while (true)
        {
            var result = await Browser.ReceiveAsync(_receiveBuffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = Browser.CloseStatus;
                CloseDescription = Browser.CloseStatusDescription;
                if (Browser.State == WebSocketState.CloseReceived)
                {
                    await Browser.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }

                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                var json = JsonNode.Parse(_receiveBuffer.AsSpan(0, length))!.AsObject();
                Received.Add(json);
                return json;
            }
        }
    }

    /// <summary>Reads until an event of <paramref name="type"/> arrives (fails on close).</summary>
    public async Task<JsonObject> NextAsync(string type)
    {
        while (true)
        {
            var next = await ReceiveAsync() ?? throw new InvalidOperationException($"closed ({CloseStatus} {CloseDescription}) while waiting for {type}");
            if (next["type"]!.GetValue<string>() == type)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// A sync point for the caller loop: an <c>input_audio_buffer.clear</c> reaches the upstream only after the leg handled
    /// every client message sent before it. Returns the client events the upstream saw before it.
    /// </summary>
    public async Task<List<string>> SyncCallerLoopAsync()
    {
        await SendAsync("""{"type":"input_audio_buffer.clear","event_id":"evt_sync"}""");
        var seen = new List<string>();
        while (true)
        {
            var type = (await Upstream.NextAsync())["type"]!.GetValue<string>();
            if (type == "input_audio_buffer.clear")
            {
                return seen;
            }

            seen.Add(type);
        }
    }

    /// <summary>Waits for the call to end while reading what the bridge still sends, up to its close.</summary>
    public async Task<CallEndReason> EndAsync()
    {
        while (await ReceiveAsync() is not null)
        {
        }

        return await Run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Session.Stop(CallEndReason.ServerShutdown, "test over");
        try
        {
            await EndAsync();
        }
        catch (WebSocketException)
        {
            // The test already tore the connection down.
        }
        finally
        {
            Session.Dispose();
            Leg.Dispose();
            Browser.Dispose();
            BridgeSide.Dispose();
            _client.Dispose();
            _server.Dispose();
        }
    }
}
