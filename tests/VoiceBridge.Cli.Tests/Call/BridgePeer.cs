using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace VoiceBridge.Cli.Tests.Call;

/// <summary>The bridge's side of a media socket in a test: reads the caller's messages, sends media/mark/clear.</summary>
internal sealed class BridgePeer(WebSocket socket)
{
    private readonly byte[] _buffer = new byte[256 * 1024];

    public string StreamSid { get; private set; } = string.Empty;

    public JsonElement Start { get; private set; }

    public List<JsonElement> Received { get; } = [];

    /// <summary>The <c>chunk</c> of the last media frame received.</summary>
    public int LastChunk { get; private set; }

    /// <summary>Completes when the caller has closed and the handshake is done.</summary>
    public Task Drained => _drained.Task;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads connected + start.</summary>
    public async Task ReadStartAsync()
    {
        var connected = await ReceiveAsync();
        Assert.Equal("connected", connected!.Value.GetProperty("event").GetString());
        var start = await ReceiveAsync();
        Assert.Equal("start", start!.Value.GetProperty("event").GetString());
        Start = start.Value;
        StreamSid = start.Value.GetProperty("streamSid").GetString()!;
    }

    /// <summary>Next message from the caller, or null at close.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                using var doc = JsonDocument.Parse(_buffer.AsMemory(0, length));
                var element = doc.RootElement.Clone();
                Received.Add(element);
                if (element.GetProperty("event").GetString() == "media")
                {
                    LastChunk = int.Parse(element.GetProperty("media").GetProperty("chunk").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                }

                return element;
            }
        }
    }

    public Task SendMediaAsync(byte[] mulaw) =>
        SendAsync($$$"""{"event":"media","streamSid":"{{{StreamSid}}}","media":{"payload":"{{{Convert.ToBase64String(mulaw)}}}"}}""");

    public Task SendMarkAsync(string name) =>
        SendAsync($$$"""{"event":"mark","streamSid":"{{{StreamSid}}}","mark":{"name":"{{{name}}}"}}""");

    public Task SendClearAsync() => SendAsync($$"""{"event":"clear","streamSid":"{{StreamSid}}"}""");

    /// <summary>The bridge ends the call: its close frame, then the caller's answer.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string description)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await socket.CloseAsync(status, description, timeout.Token);
    }

    /// <summary>Reads until the caller closes, then completes the close handshake.</summary>
    public async Task DrainAsync()
    {
        try
        {
            while (socket.State == WebSocketState.Open && await ReceiveAsync() is not null)
            {
            }

            if (socket.State == WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            _drained.TrySetResult();
        }
    }

    private Task SendAsync(string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, TestContext.Current.CancellationToken);
}
