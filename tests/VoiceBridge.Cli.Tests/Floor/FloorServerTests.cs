using System.Net.WebSockets;
using System.Text;
using VoiceBridge.Cli.Call;
using VoiceBridge.Cli.Floor;

namespace VoiceBridge.Cli.Tests.Floor;

public sealed class FloorServerTests
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Webhook_AnswersConnectStreamTwiml_PointingAtItsOwnMediaSocket()
    {
        await using var upstream = new CapturingUpstream();
        await upstream.StartAsync();
        await using var floor = new FloorServer(upstream.Uri);
        await floor.StartAsync(Ct);
        using var http = new HttpClient();

        using var response = await http.PostAsync(new Uri(floor.BaseUri, FloorServer.VoicePath), new FormUrlEncodedContent([new("CallSid", "CA1")]), Ct);
        var stream = TwimlStream.TryParse(await response.Content.ReadAsStringAsync(Ct), out var error, out _);

        Assert.True(stream is not null, error);
        Assert.Equal($"ws://127.0.0.1:{floor.BaseUri.Port}{FloorServer.MediaPath}", stream.Url);
    }

    [Fact]
    public async Task Relay_PassesEveryMessageBothWaysByteForByte_FragmentsAndBinaryIncluded_AndTheCloseStatus()
    {
        await using var upstream = new CapturingUpstream();
        await upstream.StartAsync();
        await using var floor = new FloorServer(upstream.Uri);
        await floor.StartAsync(Ct);
        using var caller = new ClientWebSocket();
        using (var timeout = Step())
        {
            await caller.ConnectAsync(new Uri($"ws://127.0.0.1:{floor.BaseUri.Port}{FloorServer.MediaPath}"), timeout.Token);
        }

        // Caller → upstream: a Twilio-like text frame, bytes that are not even valid JSON, a message bigger than the
        // relay's buffer sent in three fragments, and a binary one.
        var media = Encoding.UTF8.GetBytes("""{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"20","payload":"/////w=="},"streamSid":"MZ1"}""");
        var notJson = Encoding.UTF8.GetBytes("{\"event\": \"media\", \"unterminated");
        var big = new byte[10_000];
        new Random(7).NextBytes(big);
        for (var i = 0; i < big.Length; i++)
        {
            big[i] = (byte)('a' + (big[i] % 26)); // valid UTF-8 text
        }

        var binary = new byte[] { 0, 1, 2, 255, 254 };
        await SendAsync(caller, media, WebSocketMessageType.Text);
        await SendAsync(caller, notJson, WebSocketMessageType.Text);
        using (var timeout = Step())
        {
            await caller.SendAsync(big.AsMemory(0, 3000), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
            await caller.SendAsync(big.AsMemory(3000, 5000), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
            await caller.SendAsync(big.AsMemory(8000), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        }

        await SendAsync(caller, binary, WebSocketMessageType.Binary);

        Assert.Equal((WebSocketMessageType.Text, media), await upstream.ReceiveAsync(StepTimeout), Comparer);
        Assert.Equal((WebSocketMessageType.Text, notJson), await upstream.ReceiveAsync(StepTimeout), Comparer);
        Assert.Equal((WebSocketMessageType.Text, big), await upstream.ReceiveAsync(StepTimeout), Comparer);
        Assert.Equal((WebSocketMessageType.Binary, binary), await upstream.ReceiveAsync(StepTimeout), Comparer);

        // Upstream → caller.
        var mark = Encoding.UTF8.GetBytes("""{"event":"mark","streamSid":"MZ1","mark":{"name":"d1"}}""");
        var upstreamSocket = await upstream.Socket.WaitAsync(StepTimeout, Ct);
        using (var timeout = Step())
        {
            await upstreamSocket.SendAsync(mark, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            await upstreamSocket.SendAsync(big, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        }

        Assert.Equal((WebSocketMessageType.Text, mark), await ReceiveAsync(caller), Comparer);
        Assert.Equal((WebSocketMessageType.Text, big), await ReceiveAsync(caller), Comparer);

        // The caller's close reaches the upstream with its status; the upstream's answering close comes back.
        using (var timeout = Step())
        {
            await caller.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended", timeout.Token);
        }

        Assert.Equal((WebSocketCloseStatus.NormalClosure, "call ended"), await upstream.Closed.WaitAsync(StepTimeout, Ct));
        Assert.Equal(WebSocketState.Closed, caller.State);
    }

    [Fact]
    public async Task UpstreamUnreachable_ClosesTheCallerWith1001()
    {
        await using var floor = new FloorServer(new Uri("ws://127.0.0.1:1/nowhere"));
        await floor.StartAsync(Ct);
        using var caller = new ClientWebSocket();
        using var timeout = Step();
        await caller.ConnectAsync(new Uri($"ws://127.0.0.1:{floor.BaseUri.Port}{FloorServer.MediaPath}"), timeout.Token);

        var read = await caller.ReceiveAsync(new byte[256], timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, read.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, caller.CloseStatus);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IEqualityComparer<(WebSocketMessageType Type, byte[] Bytes)> Comparer { get; } =
        EqualityComparer<(WebSocketMessageType Type, byte[] Bytes)>.Create((a, b) => a.Type == b.Type && a.Bytes.AsSpan().SequenceEqual(b.Bytes));

    private static CancellationTokenSource Step()
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(StepTimeout);
        return timeout;
    }

    private static async Task SendAsync(ClientWebSocket socket, byte[] message, WebSocketMessageType type)
    {
        using var timeout = Step();
        await socket.SendAsync(message, type, endOfMessage: true, timeout.Token);
    }

    private static async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(ClientWebSocket socket)
    {
        using var timeout = Step();
        var buffer = new byte[1024];
        var message = new MemoryStream();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, read.Count);
            if (read.EndOfMessage)
            {
                return (read.MessageType, message.ToArray());
            }
        }
    }
}
