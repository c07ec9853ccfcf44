using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// The model-side browser page's control socket (<c>/sim/peer</c>): the simulator sends it each WebRTC offer
/// (<c>{"type":"offer","call_id","sdp"}</c>), the page answers (<c>{"type":"answer","call_id","sdp"}</c>, or
/// <c>{"type":"failed","call_id","error"}</c>) and opens the call's media socket; <c>{"type":"hangup","call_id"}</c>
/// tells it a call ended, <c>{"type":"closed","call_id"}</c> tells the simulator the browser left. While connected, the
/// page is the calls' <see cref="SimulatorCalls.Answerer"/>.
/// </summary>
#pragma warning disable CA1001 // _send is disposed when RunAsync ends (the peer's whole life).
public sealed class SimulatorMediaPeer : ISimulatorAnswerer
#pragma warning restore CA1001
{
    private const int MaxMessageBytes = 256 * 1024;

    private readonly SimulatorCalls _calls;
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string?>> _pending = new(StringComparer.Ordinal);

    private SimulatorMediaPeer(SimulatorCalls calls, WebSocket socket)
    {
        _calls = calls;
        _socket = socket;
    }

    /// <summary>Serves the page on <paramref name="socket"/> as the answerer of <paramref name="calls"/> until it leaves.</summary>
    public static async Task RunAsync(WebSocket socket, SimulatorCalls calls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(calls);
        var peer = new SimulatorMediaPeer(calls, socket);
        calls.Answerer = peer;
        try
        {
            while (true)
            {
                var received = await SimulatorWebSockets.ReceiveAsync(socket, MaxMessageBytes, cancellationToken).ConfigureAwait(false);
                if (received is not { } frame)
                {
                    break;
                }

                try
                {
                    peer.Handle(frame.Buffer.AsSpan(0, frame.Length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(frame.Buffer);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            if (ReferenceEquals(calls.Answerer, peer))
            {
                calls.Answerer = null;
            }

            foreach (var pending in peer._pending.Values)
            {
                pending.TrySetResult(null);
            }

            await SimulatorWebSockets.CloseAsync(socket, "peer closed").ConfigureAwait(false);
            peer._send.Dispose();
        }
    }

    public async Task<string?> AnswerAsync(string callId, string offerSdp, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[callId] = answer;
        try
        {
            if (!await SendAsync(writer =>
            {
                writer.WriteString("type", "offer");
                writer.WriteString("call_id", callId);
                writer.WriteString("sdp", offerSdp);
            }).ConfigureAwait(false))
            {
                return null;
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(callId, out _);
        }
    }

    public void Hangup(string callId) => _ = SendAsync(writer =>
    {
        writer.WriteString("type", "hangup");
        writer.WriteString("call_id", callId);
    });

    private void Handle(ReadOnlySpan<byte> json)
    {
        string? type = null, callId = null, sdp = null;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            type = Read(root, "type");
            callId = Read(root, "call_id");
            sdp = Read(root, "sdp");
        }
        catch (JsonException)
        {
            return;
        }

        if (callId is null)
        {
            return;
        }

        switch (type)
        {
            case "answer" when sdp is not null && _pending.TryGetValue(callId, out var answered):
                answered.TrySetResult(sdp);
                break;
            case "failed" when _pending.TryGetValue(callId, out var failed):
                failed.TrySetResult(null);
                break;
            case "closed":
                _calls.Hangup(callId, "the caller left (peer connection closed)");
                break;
        }
    }

    private static string? Read(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<bool> SendAsync(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        try
        {
            await _send.WaitAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                return false;
            }

            await _socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (WebSocketException)
        {
            return false;
        }
        finally
        {
            _send.Release();
        }
    }
}
