using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>The test's side of a /v1/realtime socket: sends client events, reads server events as JSON.</summary>
internal sealed class RealtimeTestClient(WebSocket socket) : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private readonly byte[] _buffer = new byte[4 * 1024 * 1024];

    public WebSocket Socket { get; } = socket;

    public JsonObject? Created { get; set; }

    /// <summary>Everything received so far, in order.</summary>
    public List<JsonObject> Received { get; } = [];

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

    public Task SendAsync(JsonNode json) => SendAsync(json.ToJsonString());

    public Task SendAppendAsync(ReadOnlySpan<byte> pcm) =>
        SendAsync("{\"type\":\"input_audio_buffer.append\",\"audio\":\"" + Convert.ToBase64String(pcm) + "\"}");

    /// <summary>Sends audio in 100 ms appends, like a browser's capture callback.</summary>
    public async Task SendAudioAsync(byte[] pcm, int rate)
    {
        var chunk = rate / 10 * 2;
        for (var offset = 0; offset < pcm.Length; offset += chunk)
        {
            await SendAppendAsync(pcm.AsSpan(offset, Math.Min(chunk, pcm.Length - offset)));
        }
    }

    /// <summary>The next server event, or null once the server closed.</summary>
    public async Task<JsonObject?> ReceiveAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(s_timeout);
        var length = 0;
        while (true)
        {
            var result = await Socket.ReceiveAsync(_buffer.AsMemory(length), timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = Socket.CloseStatus;
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                var json = JsonNode.Parse(_buffer.AsSpan(0, length))!.AsObject();
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
            var next = await ReceiveAsync() ?? throw new InvalidOperationException($"closed ({CloseStatus}) while waiting for {type}");
            if (next["type"]!.GetValue<string>() == type)
            {
                return next;
            }
        }
    }

    /// <summary>Reads until the server closes; returns the close status.</summary>
    public async Task<WebSocketCloseStatus?> ReadToCloseAsync()
    {
        while (await ReceiveAsync() is not null)
        {
        }

        return CloseStatus;
    }

    public void Dispose() => Socket.Dispose();
}
