using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Cli.Simulator;

/// <summary>
/// One WebSocket per simulated session: a receive loop (socket → engine) and a send loop (engine → socket), like
/// aspnetcore's WebSocket transport. Any bearer token is accepted. A request with <c>OpenAI-Beta: realtime=v1</c>
/// gets the API's beta rejection: an error event <c>beta_api_shape_disabled</c>, then close status 4000
/// (docs/protocols/openai-realtime.md#the-retired-beta-shape).
/// </summary>
internal sealed class SimulatorWebSocketEndpoint(SimulatorOptions options, TimeProvider timeProvider, CancellationToken stopping, SimulatorTap? tap = null, SimulatorCalls? calls = null)
{
    // Up to 15 MiB of base64 per append (docs/protocols/openai-realtime.md#session-lifetime-and-limits); leave room for
    // the JSON around it.
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private const int BetaRejectedStatus = 4000;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        // ?call_id= is a sideband to a direct call; a call that is unknown, ringing or over is answered 404 before the
        // upgrade, as the API does (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands).
        ISimulatorSession? sideband = null;
        if (context.Request.Query["call_id"] is { Count: > 0 } callId)
        {
            sideband = calls?.OpenSideband(callId.ToString());
            if (sideband is null)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
        }

        // Browsers cannot set headers and offer the "realtime" subprotocol instead (openai-node does).
        var subprotocol = context.WebSockets.WebSocketRequestedProtocols.Contains("realtime") ? "realtime" : null;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(subprotocol).ConfigureAwait(false);
        if (IsBetaShape(context.Request))
        {
            if (sideband is not null)
            {
                await sideband.DisposeAsync().ConfigureAwait(false);
            }

            await RejectBetaAsync(socket, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        if (sideband is not null)
        {
            await using (sideband.ConfigureAwait(false))
            {
                await RelayAsync(socket, sideband, null, context.RequestAborted).ConfigureAwait(false);
            }

            return;
        }

        var sessionTap = tap?.OnSessionOpened();
        var engine = SimulatorEngine.Start(options, timeProvider);
        await using (engine.ConfigureAwait(false))
        {
            await RelayAsync(socket, engine, sessionTap, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static bool IsBetaShape(HttpRequest request) =>
        request.Headers.TryGetValue("OpenAI-Beta", out var values)
        && values.Any(v => v is not null && v.Contains("realtime=v1", StringComparison.OrdinalIgnoreCase));

    private static async Task RejectBetaAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var error = new ErrorEvent
        {
            EventId = "event_0001",
            Error = new RealtimeErrorDetail
            {
                Type = RealtimeErrorDetail.InvalidRequestError,
                Code = "beta_api_shape_disabled",
                Message = "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.",
            },
        };
        using var message = RealtimeEventSerializer.ToMessage(error);
        await socket.SendAsync(message.Memory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        await CloseAsync(socket, (WebSocketCloseStatus)BetaRejectedStatus, "beta_api_shape_disabled", cancellationToken).ConfigureAwait(false);
    }

    private async Task RelayAsync(WebSocket socket, ISimulatorSession engine, SimulatorSessionTap? sessionTap, CancellationToken requestAborted)
    {
        var receiving = ReceiveLoopAsync(socket, engine, sessionTap, requestAborted);
        var end = await SendLoopAsync(socket, engine, sessionTap).ConfigureAwait(false);
        var status = end.Reason switch
        {
            UpstreamEndReason.ClosedByPeer => end.CloseStatus ?? (int)WebSocketCloseStatus.NormalClosure,
            UpstreamEndReason.Cancelled => (int)WebSocketCloseStatus.EndpointUnavailable, // 1001: the server is going away
            UpstreamEndReason.MalformedFrame => end.CloseStatus ?? (int)WebSocketCloseStatus.InvalidMessageType,
            _ => (int)WebSocketCloseStatus.NormalClosure,
        };
        await CloseAsync(socket, (WebSocketCloseStatus)status, end.Description, requestAborted).ConfigureAwait(false);

        // Bounded wait for the client's close frame, then abort.
        if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout, TimeProvider.System, CancellationToken.None)).ConfigureAwait(false) != receiving)
        {
            socket.Abort();
        }

        await receiving.ConfigureAwait(false);
    }

    private async Task<UpstreamEnd> SendLoopAsync(WebSocket socket, ISimulatorSession engine, SimulatorSessionTap? sessionTap)
    {
        while (true)
        {
            // Server shutdown cancels this receive, which ends the engine with Cancelled (→ 1001).
            var result = await engine.ReceiveAsync(stopping).ConfigureAwait(false);
            if (result.IsEnd)
            {
                return result.End!;
            }

            using var message = result.Message;
            if (sessionTap is not null && RealtimeEventPeek.TryPeek(message.Span, out var type))
            {
                sessionTap.OnServerEvent(type);
            }

            try
            {
                await socket.SendAsync(message.Memory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }
            catch (WebSocketException)
            {
                await engine.CloseAsync(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "client connection lost")).ConfigureAwait(false);
            }
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, ISimulatorSession engine, SimulatorSessionTap? sessionTap, CancellationToken cancellationToken)
    {
        var end = new UpstreamEnd(UpstreamEndReason.ClosedByUs, "client closed the socket");
        try
        {
            while (true)
            {
                var (message, kind) = await ReceiveMessageAsync(socket, cancellationToken).ConfigureAwait(false);
                if (kind == WebSocketMessageType.Close)
                {
                    break;
                }

                if (kind == WebSocketMessageType.Binary || message.IsEmpty)
                {
                    message.Dispose();
                    end = new UpstreamEnd(UpstreamEndReason.MalformedFrame, "binary or oversized frame", CloseStatus: (int)WebSocketCloseStatus.InvalidMessageType);
                    break;
                }

                sessionTap?.OnClientMessage(message.Kind);
                if (!await engine.SubmitAsync(message, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (WebSocketException)
        {
            end = new UpstreamEnd(UpstreamEndReason.ConnectionLost, "client connection lost");
        }
        catch (OperationCanceledException)
        {
            end = new UpstreamEnd(UpstreamEndReason.ConnectionLost, "request aborted");
        }

        await engine.CloseAsync(end).ConfigureAwait(false);
    }

    /// <summary>Reads one whole message into a pooled buffer (ownership moves to the returned message).</summary>
    private static async Task<(RealtimeMessage Message, WebSocketMessageType Type)> ReceiveMessageAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (default, WebSocketMessageType.Text);
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (default, WebSocketMessageType.Close);
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    var span = buffer.AsSpan(0, length);
                    var kind = RealtimeEventPeek.TryPeek(span, out var type) && type == RealtimeEventType.InputAudioBufferAppend
                        ? RealtimeMessageKind.Audio
                        : RealtimeMessageKind.Control;
                    return (RealtimeMessage.FromRented(buffer, length, kind), result.MessageType);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    internal static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            // Close reasons are limited to 123 UTF-8 bytes (RFC 6455 §5.5).
            var reason = description.Length > 120 ? description[..120] : description;
            await socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }
}
