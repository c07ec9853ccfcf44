using System.Net.WebSockets;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// How every caller-facing socket ends, as aspnetcore's WebSocket transport does it: our close frame with a real
/// status, then the peer's answer — which ends the receive loop that is still reading — bounded by a timeout, then
/// abort. The receive loop is never cancelled: cancelling a pending WebSocket receive aborts the socket before the
/// close frame could go out.
/// </summary>
internal static class WebSocketClosing
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <param name="socket">The caller's socket.</param>
    /// <param name="status">The close status to send.</param>
    /// <param name="description">The close reason to send.</param>
    /// <param name="receiveLoop">The loop still reading the socket, if any; without one, this method reads until the peer's close.</param>
    /// <param name="time">The clock for the timeout.</param>
    public static async ValueTask CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, Task? receiveLoop, TimeProvider time)
    {
        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(status, description, timeout.Token);
            }

            if (receiveLoop is not null)
            {
                await receiveLoop.WaitAsync(timeout.Token);
            }
            else if (socket.State == WebSocketState.CloseSent)
            {
                var buffer = new byte[256];
                while ((await socket.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or WebSocketException or ObjectDisposedException or IOException or InvalidOperationException)
        {
            // The peer did not answer in time, is gone, or a send is still stuck on it.
        }
        finally
        {
            socket.Abort();
            if (receiveLoop is not null)
            {
                await receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Closes the upstream cleanly within <see cref="Timeout"/> (the connection aborts after that), then releases it.</summary>
    public static async ValueTask CloseUpstreamAsync(IRealtimeConnection? upstream, TimeProvider time)
    {
        if (upstream is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout, time);
        try
        {
            await upstream.CloseAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await upstream.DisposeAsync();
    }
}
