using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Realtime.Upstream;

namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>The upstream client against a real Kestrel WebSocket server on loopback.</summary>
public sealed class WebSocketRealtimeConnectorTests
{
    private const string Key = "sk-loopback-secret";

    /// <summary>Upper bound for any single await: a hung task fails the test instead of hanging the run.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (WebSocketRealtimeConnector Connector, ListLogger<WebSocketRealtimeConnector> Logger) Connect(
        Uri endpoint,
        TimeProvider? timeProvider = null,
        UpstreamProvider provider = UpstreamProvider.OpenAI,
        int sendQueueCapacity = 64,
        int maxMessageBytes = UpstreamSettings.DefaultMaxMessageBytes,
        TimeSpan? keepAlive = null)
    {
        var logger = new ListLogger<WebSocketRealtimeConnector>();
        var settings = new UpstreamSettings
        {
            Provider = provider,
            Endpoint = endpoint,
            ApiKey = Key,
            Model = "gpt-realtime",
            ConnectTimeout = TimeSpan.FromSeconds(5),
            CloseTimeout = TimeSpan.FromSeconds(5),
            SendQueueCapacity = sendQueueCapacity,
            MaxMessageBytes = maxMessageBytes,
            KeepAliveInterval = keepAlive ?? TimeSpan.FromSeconds(15),
            KeepAliveTimeout = keepAlive ?? TimeSpan.FromSeconds(10),
        };
        return (new WebSocketRealtimeConnector(settings, timeProvider ?? TimeProvider.System, logger), logger);
    }

    private static RealtimeMessage Json(string json, RealtimeMessageKind kind = RealtimeMessageKind.Control) =>
        RealtimeMessage.Copy(Encoding.UTF8.GetBytes(json), kind);

    private static async Task<IRealtimeConnection> ConnectedAsync(WebSocketRealtimeConnector connector)
    {
        var result = await connector.ConnectAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.True(result.IsConnected, result.Failure?.Description);
        return result.Connection!;
    }

    private static async Task<string> ReceiveTextAsync(IRealtimeConnection connection)
    {
        var result = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.False(result.IsEnd, result.End?.Description);
        using var message = result.Message;
        return Encoding.UTF8.GetString(message.Span);
    }

    private static async Task<UpstreamEnd> ReceiveEndAsync(IRealtimeConnection connection)
    {
        var result = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.True(result.IsEnd, "expected the end of the session, got a message");
        return result.End!;
    }

    private static void AssertOneLogLineWithoutTheKey(ListLogger<WebSocketRealtimeConnector> logger, int eventId)
    {
        Assert.Single(logger.Lines, line => line.EventId.Id == eventId);
        Assert.DoesNotContain(logger.Lines, line => line.Message.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenAIHandshake_CarriesModelAndBearer_NeverTheBetaHeader()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await LoopbackWebSocketServer.DrainUntilCloseAsync(socket!, context.RequestAborted);
        });
        var (connector, _) = Connect(new Uri(server.BaseUri, "v1/realtime"));

        await using var connection = await ConnectedAsync(connector);
        var handshake = await server.FirstRequest.WaitAsync(Guard, Ct);

        Assert.Equal("/v1/realtime?model=gpt-realtime", handshake.PathAndQuery);
        Assert.Equal("Bearer " + Key, handshake.Headers["Authorization"]);
        Assert.False(handshake.Headers.ContainsKey("OpenAI-Beta"));
        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.Equal(UpstreamEndReason.ClosedByUs, (await ReceiveEndAsync(connection)).Reason);
    }

    [Fact]
    public async Task AzureHandshake_UsesTheGaPathAndApiKeyHeader()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await LoopbackWebSocketServer.DrainUntilCloseAsync(socket!, context.RequestAborted);
        });
        var (connector, _) = Connect(server.BaseUri, provider: UpstreamProvider.AzureOpenAI);

        await using var connection = await ConnectedAsync(connector);
        var handshake = await server.FirstRequest.WaitAsync(Guard, Ct);

        Assert.Equal("/openai/v1/realtime?model=gpt-realtime", handshake.PathAndQuery);
        Assert.Equal(Key, handshake.Headers["api-key"]);
        Assert.False(handshake.Headers.ContainsKey("Authorization"));
        Assert.False(handshake.Headers.ContainsKey("OpenAI-Beta"));
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(429)]
    public async Task RefusedHandshake_ComesBackAsRefused_WithTheHttpStatus(int status)
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        var (connector, logger) = Connect(server.BaseUri);

        var result = await connector.ConnectAsync(Ct).AsTask().WaitAsync(Guard, Ct);

        Assert.False(result.IsConnected);
        Assert.Equal(UpstreamEndReason.Refused, result.Failure!.Reason);
        Assert.Equal(status, result.Failure.HttpStatus);
        AssertOneLogLineWithoutTheKey(logger, 2101);
    }

    [Fact]
    public async Task HandshakeNeverAnswered_TimesOutAtTheConfiguredConnectTimeout()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        var time = new FakeTimeProvider();
        var (connector, logger) = Connect(server.BaseUri, time);

        var connecting = connector.ConnectAsync(Ct).AsTask();
        await server.FirstRequest.WaitAsync(Guard, Ct);
        Assert.False(connecting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await connecting.WaitAsync(Guard, Ct);

        Assert.Equal(UpstreamEndReason.ConnectTimeout, result.Failure!.Reason);
        AssertOneLogLineWithoutTheKey(logger, 2101);
    }

    [Fact]
    public async Task NothingListening_ComesBackAsConnectFailed()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (connector, logger) = Connect(new Uri($"ws://127.0.0.1:{port}/v1/realtime"));

        var result = await connector.ConnectAsync(Ct).AsTask().WaitAsync(Guard, Ct);

        Assert.Equal(UpstreamEndReason.ConnectFailed, result.Failure!.Reason);
        Assert.Null(result.Failure.HttpStatus);
        AssertOneLogLineWithoutTheKey(logger, 2101);
    }

    [Fact]
    public async Task CancelledConnect_ComesBackAsCancelled()
    {
        var (connector, _) = Connect(new Uri("ws://127.0.0.1:9/v1/realtime"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var result = await connector.ConnectAsync(cts.Token).AsTask().WaitAsync(Guard, Ct);

        Assert.Equal(UpstreamEndReason.Cancelled, result.Failure!.Reason);
    }

    [Fact]
    public async Task PeerCloseWith4000_DeliversTheErrorEventFirst_ThenClosedByPeerWithStatusAndReason()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            var error = """{"type":"error","event_id":"event_1","error":{"type":"invalid_request_error","code":"beta_api_shape_disabled","message":"The Realtime Beta API is no longer supported."}}"""u8.ToArray();
            await socket!.SendAsync(error, WebSocketMessageType.Text, true, context.RequestAborted);
            await socket.CloseAsync((WebSocketCloseStatus)4000, "beta_api_shape_disabled", context.RequestAborted);
        });
        var (connector, logger) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);

        Assert.Contains("beta_api_shape_disabled", await ReceiveTextAsync(connection), StringComparison.Ordinal);
        var end = await ReceiveEndAsync(connection);

        Assert.Equal(UpstreamEndReason.ClosedByPeer, end.Reason);
        Assert.Equal(4000, end.CloseStatus);
        Assert.Contains("beta_api_shape_disabled", end.Description, StringComparison.Ordinal);
        Assert.Same(end, await ReceiveEndAsync(connection));
        Assert.False(await connection.SendAsync(Json("""{"type":"response.create"}"""), Ct).AsTask().WaitAsync(Guard, Ct));
        await connection.DisposeAsync().AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
    }

    public static TheoryData<string, string> MalformedFrames => new()
    {
        { "binary", "binary frame" },
        { "invalid-json", "not valid JSON" },
        { "not-an-object", "not a JSON object" },
        { "oversized", "larger than" },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task MalformedServerFrame_EndsTheSessionAsMalformedFrame(string kind, string expectedDescription)
    {
        var end = await EndAfterTheServerSendsAsync(kind);

        Assert.Equal(UpstreamEndReason.MalformedFrame, end.Reason);
        Assert.Contains(expectedDescription, end.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidUtf8TextFrame_IsRejectedByTheSocket_AndTheSessionEndsAsLost()
    {
        // RFC 6455 §8.1: the client WebSocket itself fails a text frame that is not UTF-8 (close 1007); the
        // fault it raises is not distinguishable from other socket faults, so the session ends as lost.
        var end = await EndAfterTheServerSendsAsync("invalid-utf8");

        Assert.Equal(UpstreamEndReason.ConnectionLost, end.Reason);
    }

    private static async Task<UpstreamEnd> EndAfterTheServerSendsAsync(string kind)
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            var ok = """{"type":"session.created","event_id":"event_1","session":{}}"""u8.ToArray();
            await socket!.SendAsync(ok, WebSocketMessageType.Text, true, context.RequestAborted);
            var (payload, type) = kind switch
            {
                "binary" => (new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary),
                "invalid-json" => ("{\"type\":\"response.done\","u8.ToArray(), WebSocketMessageType.Text),
                "not-an-object" => ("""["type"]"""u8.ToArray(), WebSocketMessageType.Text),
                // Kestrel's sender does not check UTF-8, so the bytes reach the client as sent.
                "invalid-utf8" => (new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, WebSocketMessageType.Text),
                _ => (Encoding.UTF8.GetBytes("{\"type\":\"x\",\"pad\":\"" + new string('a', 70_000) + "\"}"), WebSocketMessageType.Text),
            };
            await socket.SendAsync(payload, type, true, context.RequestAborted);
            try
            {
                await LoopbackWebSocketServer.DrainUntilCloseAsync(socket, context.RequestAborted);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
            {
                // The client may abort right after its close frame.
            }
        });
        var (connector, logger) = Connect(server.BaseUri, maxMessageBytes: 64 * 1024);
        await using var connection = await ConnectedAsync(connector);

        Assert.Contains("session.created", await ReceiveTextAsync(connection), StringComparison.Ordinal);
        var end = await ReceiveEndAsync(connection);

        await connection.DisposeAsync().AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
        TestContext.Current.TestOutputHelper?.WriteLine($"{kind}: {end.Reason}: {end.Description}");
        return end;
    }

    [Fact]
    public async Task EchoRoundTrip_KeepsOrder_AndTagsAudioDeltas()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            while (await LoopbackWebSocketServer.ReadMessageAsync(socket!, context.RequestAborted) is { } message)
            {
                await socket!.SendAsync(message.Payload, message.Type, true, context.RequestAborted);
            }
        });
        var (connector, logger) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);

        var big = "{\"type\":\"response.output_audio.delta\",\"delta\":\"" + new string('A', 100_000) + "\"}";
        Assert.True(await connection.SendAsync(Json("""{"type":"session.update","session":{"type":"realtime"}}"""), Ct));
        Assert.True(await connection.SendAsync(Json(big, RealtimeMessageKind.Audio), Ct));
        Assert.True(await connection.SendAsync(Json("""{"type":"input_audio_buffer.commit"}"""), Ct));

        Assert.Contains("session.update", await ReceiveTextAsync(connection), StringComparison.Ordinal);
        var audio = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        using (var message = audio.Message)
        {
            Assert.Equal(RealtimeMessageKind.Audio, message.Kind);
            Assert.Equal(big, Encoding.UTF8.GetString(message.Span));
        }

        var commit = await connection.ReceiveAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        using (var message = commit.Message)
        {
            Assert.Equal(RealtimeMessageKind.Control, message.Kind);
        }

        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        Assert.Equal(UpstreamEndReason.ClosedByUs, (await ReceiveEndAsync(connection)).Reason);
        Assert.Equal(0, connection.DroppedAudioMessages);
        AssertOneLogLineWithoutTheKey(logger, 2103);
    }

    [Fact]
    public async Task PeerStopsReading_OldestAudioIsDroppedAndCounted_ControlIsNeverDropped()
    {
        const int capacity = 4;
        var startReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new TaskCompletionSource<List<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await startReading.Task.WaitAsync(context.RequestAborted);
            var received = new List<string>();
            while (await LoopbackWebSocketServer.ReadMessageAsync(socket!, context.RequestAborted) is { } message)
            {
                using var json = JsonDocument.Parse(message.Payload);
                var id = json.RootElement.GetProperty("event_id").GetString()!;
                received.Add(id);
                if (id == "end")
                {
                    break;
                }
            }

            seen.TrySetResult(received);
            await LoopbackWebSocketServer.DrainUntilCloseAsync(socket!, context.RequestAborted);
        });
        var (connector, logger) = Connect(server.BaseUri, sendQueueCapacity: capacity);
        await using var connection = await ConnectedAsync(connector);
        var padding = new string('A', 64 * 1024);
        string Audio(int i) => $"{{\"type\":\"input_audio_buffer.append\",\"event_id\":\"a{i:D5}\",\"audio\":\"{padding}\"}}";

        // The peer reads nothing, so once the socket buffers are full the queue has to drop; stop shortly after.
        var sent = 0;
        while (connection.DroppedAudioMessages < 3 * capacity && sent < 20_000)
        {
            Assert.True(await connection.SendAsync(Json(Audio(sent++), RealtimeMessageKind.Audio), Ct));
        }

        Assert.True(await connection.SendAsync(Json("""{"type":"input_audio_buffer.commit","event_id":"commit"}"""), Ct));
        for (var i = 0; i < 2 * capacity; i++)
        {
            Assert.True(await connection.SendAsync(Json(Audio(sent++), RealtimeMessageKind.Audio), Ct));
        }

        Assert.True(await connection.SendAsync(Json("""{"type":"response.create","event_id":"end"}"""), Ct));
        startReading.SetResult();
        var received = await seen.Task.WaitAsync(Guard, Ct);

        var audio = received.Where(id => id.StartsWith('a')).ToList();
        Assert.Contains("commit", received);
        Assert.Equal("end", received[^1]);
        Assert.Equal(sent, audio.Count + connection.DroppedAudioMessages);
        Assert.True(connection.DroppedAudioMessages >= 3 * capacity);
        Assert.Equal(audio.Order(StringComparer.Ordinal), audio);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"sent {sent} audio messages of 64 KiB to a peer that stopped reading; {connection.DroppedAudioMessages} dropped, {audio.Count} delivered");

        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
    }

    [Fact]
    public async Task Close_SendsNormalClosure_AndTheSessionEndsClosedByUs()
    {
        var peerSaw = new TaskCompletionSource<WebSocketCloseStatus?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await LoopbackWebSocketServer.DrainUntilCloseAsync(socket!, context.RequestAborted);
            peerSaw.TrySetResult(socket!.CloseStatus);
        });
        var (connector, _) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);

        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);
        await connection.CloseAsync(Ct).AsTask().WaitAsync(Guard, Ct);

        Assert.Equal(WebSocketCloseStatus.NormalClosure, await peerSaw.Task.WaitAsync(Guard, Ct));
        Assert.Equal(UpstreamEndReason.ClosedByUs, (await ReceiveEndAsync(connection)).Reason);
        Assert.False(await connection.SendAsync(Json("{}"), Ct));
    }

    [Fact]
    public async Task Close_WhenThePeerNeverAnswers_AbortsAtTheCloseTimeout()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await release.Task.WaitAsync(context.RequestAborted);
        });
        var time = new FakeTimeProvider();
        var (connector, _) = Connect(server.BaseUri, time);
        await using var connection = await ConnectedAsync(connector);

        var closing = connection.CloseAsync(Ct).AsTask();
        Assert.False(closing.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        await closing.WaitAsync(Guard, Ct);
        release.SetResult();

        Assert.Equal(UpstreamEndReason.ClosedByUs, (await ReceiveEndAsync(connection)).Reason);
    }

    [Fact]
    public async Task CallerCancellation_EndsTheSessionAsCancelled()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await LoopbackWebSocketServer.DrainUntilCloseAsync(socket!, context.RequestAborted);
        });
        var (connector, logger) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var receiving = connection.ReceiveAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        var result = await receiving.WaitAsync(Guard, Ct);

        Assert.Equal(UpstreamEndReason.Cancelled, result.End!.Reason);
        Assert.False(await connection.SendAsync(Json("{}"), Ct));
        await connection.DisposeAsync().AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
    }

    [Fact]
    public async Task PeerDropsTheConnection_EndsTheSession_WithoutAHang()
    {
        var drop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await socket!.SendAsync("""{"type":"session.created","session":{}}"""u8.ToArray(), WebSocketMessageType.Text, true, context.RequestAborted);
            await drop.Task.WaitAsync(context.RequestAborted);
            context.Abort();
        });
        var (connector, logger) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);
        Assert.Contains("session.created", await ReceiveTextAsync(connection), StringComparison.Ordinal);

        drop.SetResult();
        var end = await ReceiveEndAsync(connection);

        Assert.Contains(end.Reason, new[] { UpstreamEndReason.ClosedByPeer, UpstreamEndReason.ConnectionLost });
        Assert.Null(end.CloseStatus);
        await connection.DisposeAsync().AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
        TestContext.Current.TestOutputHelper?.WriteLine($"{end.Reason}: {end.Description}");
    }

    [Fact]
    public async Task PeerStopsAnsweringKeepAlives_EndsAsConnectionLost()
    {
        // Kestrel answers a ping only while its side is reading; this peer accepts and never reads again.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await release.Task.WaitAsync(context.RequestAborted);
        });
        var (connector, logger) = Connect(server.BaseUri, keepAlive: TimeSpan.FromMilliseconds(200));
        await using var connection = await ConnectedAsync(connector);

        var end = await ReceiveEndAsync(connection);
        release.SetResult();

        Assert.Equal(UpstreamEndReason.ConnectionLost, end.Reason);
        await connection.DisposeAsync().AsTask().WaitAsync(Guard, Ct);
        AssertOneLogLineWithoutTheKey(logger, 2103);
        TestContext.Current.TestOutputHelper?.WriteLine(end.Description);
    }

    [Fact]
    public async Task PeerCloseWhileAudioIsStreaming_StillEndsAsClosedByPeerWithItsStatus()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync(async context =>
        {
            using var socket = await LoopbackWebSocketServer.AcceptAsync(context);
            await LoopbackWebSocketServer.ReadMessageAsync(socket!, context.RequestAborted);
            await socket!.CloseAsync((WebSocketCloseStatus)4000, "beta_api_shape_disabled", context.RequestAborted);
        });
        var (connector, logger) = Connect(server.BaseUri);
        await using var connection = await ConnectedAsync(connector);

        // Keep the send loop busy until the session refuses more audio (the peer's close has been seen).
        var frame = "{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + new string('A', 4096) + "\"}";
        var sends = 0;
        while (await connection.SendAsync(Json(frame, RealtimeMessageKind.Audio), Ct) && sends < 1_000_000)
        {
            sends++;
        }

        var end = await ReceiveEndAsync(connection);

        Assert.Equal(UpstreamEndReason.ClosedByPeer, end.Reason);
        Assert.Equal(4000, end.CloseStatus);
        AssertOneLogLineWithoutTheKey(logger, 2103);
    }
}
