using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// One call (the call core with a <see cref="TwilioLeg"/>) between a fake Twilio (a real WebSocket over a loopback TCP
/// pair) and a <see cref="ScriptedUpstream"/>. The test plays Twilio: it sends Twilio's messages and reads what the bridge
/// sends back.
/// </summary>
internal sealed class TwilioCallHarness : IAsyncDisposable
{
    public const string CallSid = "CAfedcba9876543210fedcba9876543210";
    public const string StreamSid = "MZ00112233445566778899aabbccddeeff";

    private readonly TcpClient _client;
    private readonly TcpClient _server;
    private readonly byte[] _receiveBuffer = new byte[128 * 1024];

    private TwilioCallHarness(TcpClient client, TcpClient server, WebSocket twilio, WebSocket bridgeSide, CallSession session, TwilioLeg leg, ScriptedUpstream upstream, CallTokens tokens)
    {
        Leg = leg;
        _client = client;
        _server = server;
        Twilio = twilio;
        BridgeSide = bridgeSide;
        Session = session;
        Upstream = upstream;
        Tokens = tokens;
    }

    public WebSocket Twilio { get; }

    public WebSocket BridgeSide { get; }

    public CallSession Session { get; }

    public TwilioLeg Leg { get; }

    public ScriptedUpstream Upstream { get; }

    public CallTokens Tokens { get; }

    public Task<CallEndReason> Run { get; private set; } = null!;

    /// <param name="policy">The session policy; the default one when null.</param>
    /// <param name="upstream">The scripted upstream; a new one when null.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <param name="startTimeout">How long to wait for start.</param>
    /// <param name="connector">Another upstream (the simulator) instead of <paramref name="upstream"/>.</param>
    /// <param name="control">Call control (tools, idle, operator commands); none when null.</param>
    /// <param name="reconnect">The call's reconnect policy; null: none (a lost upstream ends the call).</param>
    /// <param name="audit">The call's audit recorder; none when null.</param>
    /// <param name="playback">How the session follows playback; the default settings when null.</param>
    public static async Task<TwilioCallHarness> CreateAsync(
        SessionPolicy? policy = null,
        ScriptedUpstream? upstream = null,
        TimeProvider? time = null,
        TimeSpan? startTimeout = null,
        IRealtimeConnector? connector = null,
        CallControlServices? control = null,
        UpstreamReconnect? reconnect = null,
        Server.Audit.CallRecorder? audit = null,
        PlaybackSettings? playback = null)
    {
        var (client, server, twilio, bridgeSide) = await HarnessCall.ConnectAsync();
        upstream ??= new ScriptedUpstream();
        time ??= TimeProvider.System;
        var tokens = new CallTokens("test-token", TimeSpan.FromSeconds(60), time);
        var leg = new TwilioLeg(bridgeSide, tokens, policy ?? new SessionPolicy(), time, NullLogger.Instance, startTimeout ?? TimeSpan.FromSeconds(30), playback);
        var session = HarnessCall.Session(leg, connector ?? upstream, time, reconnect, control, audit);
        var harness = new TwilioCallHarness(client, server, twilio, bridgeSide, session, leg, upstream, tokens);
        harness.Run = session.RunAsync(CancellationToken.None);
        return harness;
    }

    /// <summary>Creates a call that has passed <c>start</c> and sent its <c>session.update</c>.</summary>
    public static async Task<TwilioCallHarness> StartedAsync(SessionPolicy? policy = null, TimeProvider? time = null, Server.Audit.CallRecorder? audit = null, PlaybackSettings? playback = null)
    {
        var call = await CreateAsync(policy, time: time, audit: audit, playback: playback);
        await call.SendAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        await call.SendStartAsync(call.Tokens.Mint(CallSid, "+14155550100"));
        var update = await call.Upstream.NextAsync();
        Assert.Equal("session.update", update["type"]!.GetValue<string>());
        return call;
    }

    public Task SendStartAsync(string? token)
    {
        var parameters = token is null ? "{}" : "{\"callToken\":\"" + token + "\"}";
        return SendAsync("{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC0123456789abcdef0123456789abcdef\","
            + "\"streamSid\":\"" + StreamSid + "\",\"callSid\":\"" + CallSid + "\",\"tracks\":[\"inbound\"],\"customParameters\":" + parameters
            + ",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}},\"streamSid\":\"" + StreamSid + "\"}");
    }

    public Task SendMediaAsync(ReadOnlySpan<byte> mulaw, string streamSid = StreamSid) =>
        SendAsync($$$"""{"event":"media","sequenceNumber":"2","media":{"track":"inbound","chunk":"1","timestamp":"0","payload":"{{{Convert.ToBase64String(mulaw)}}}"},"streamSid":"{{{streamSid}}}"}""");

    public Task SendMarkAsync(string name) =>
        SendAsync($$$"""{"event":"mark","sequenceNumber":"8","streamSid":"{{{StreamSid}}}","mark":{"name":"{{{name}}}"}}""");

    public Task SendDtmfAsync(string digit) =>
        SendAsync($$$"""{"event":"dtmf","streamSid":"{{{StreamSid}}}","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"{{{digit}}}"}}""");

    public Task SendStopAsync() =>
        SendAsync($$$"""{"event":"stop","sequenceNumber":"9","stop":{"accountSid":"AC0123456789abcdef0123456789abcdef","callSid":"{{{CallSid}}}"},"streamSid":"{{{StreamSid}}}"}""");

    public async Task SendAsync(string json) =>
        await Twilio.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

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

    public async Task SendBinaryAsync(byte[] bytes) =>
        await Twilio.SendAsync(bytes, WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);

    /// <summary>
    /// A sync point: a DTMF press reaches the upstream as a conversation item only after the caller loop has
    /// handled every Twilio message sent before it. Returns the client event types the upstream saw before it.
    /// </summary>
    public async Task<List<string>> SyncCallerLoopAsync()
    {
        await SendDtmfAsync("#");
        var seen = new List<string>();
        while (true)
        {
            var type = (await Upstream.NextAsync())["type"]!.GetValue<string>();
            if (type == "conversation.item.create")
            {
                return seen;
            }

            seen.Add(type);
        }
    }

    /// <summary>The next message the bridge sent to Twilio, or null when the socket closed.</summary>
    public async Task<JsonNode?> ReceiveAsync()
    {
        if (Twilio.State is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            return null;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var length = 0;
        while (true)
        {
            var result = await Twilio.ReceiveAsync(_receiveBuffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                // Answer the bridge's close frame, as Twilio's WebSocket client does.
                if (Twilio.State == WebSocketState.CloseReceived)
                {
                    await Twilio.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                }

                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return JsonNode.Parse(Encoding.UTF8.GetString(_receiveBuffer, 0, length));
            }
        }
    }

    /// <summary>Reads Twilio messages until one of the given event, returning the ones skipped too.</summary>
    public async Task<(JsonNode Message, List<JsonNode> Before)> ReceiveUntilAsync(string eventName)
    {
        var before = new List<JsonNode>();
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException("socket closed before " + eventName);
            if (message["event"]!.GetValue<string>() == eventName)
            {
                return (message, before);
            }

            before.Add(message);
        }
    }

    /// <summary>Waits for the call to end while reading (and discarding) what the bridge still sends, up to its close.</summary>
    public async Task<CallEndReason> EndAsync()
    {
        while (await ReceiveAsync() is not null)
        {
        }

        return await Run.WaitAsync(TimeSpan.FromSeconds(30));
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
            Twilio.Dispose();
            BridgeSide.Dispose();
            _client.Dispose();
            _server.Dispose();
        }
    }
}
