using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Cli.Simulator;

/// <summary>
/// The simulator behind a Twilio Media Streams socket: the far end of <c>voicebridge floor</c>, a relay that parses
/// nothing and so forwards the caller's Twilio messages here unchanged. The session asks for <c>audio/pcmu</c> both
/// ways (a relay cannot transcode), then: a <c>media</c> frame becomes one <c>input_audio_buffer.append</c> of the same
/// μ-law; every <c>response.output_audio.delta</c> goes back as 20 ms <c>media</c> frames followed by one <c>mark</c>
/// (what our bridge writes to the caller, docs/protocols/twilio-media-streams.md#messages-to-twilio);
/// <c>speech_started</c> becomes a <c>clear</c> while some mark has not come back (audio still playing, as the bridge
/// and Twilio's Node sample decide it); <c>connected</c>, <c>start</c> and <c>stop</c> are read and ignored. The tap sees the same events at the same moments as on <c>/v1/realtime</c> (a whole message read;
/// a server event about to be written), so the load tool's hop figures mean the same for a relay as for a bridge. The
/// framing work happens here, in the load tool, not in the relay being measured.
/// </summary>
internal sealed class SimulatorTwilioEndpoint(SimulatorOptions options, TimeProvider timeProvider, CancellationToken stopping, SimulatorTap? tap = null)
{
    /// <summary>20 ms of 8 kHz μ-law: the frame our bridge sends to Twilio.</summary>
    public const int FrameBytes = 160;

    private const int MaxMessageBytes = 1024 * 1024;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static readonly byte[] s_pcmuSession =
        """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"},"turn_detection":{"type":"server_vad"}},"output":{"format":{"type":"audio/pcmu"}}}}}"""u8.ToArray();

    private static readonly byte[] s_appendHead = "{\"type\":\"input_audio_buffer.append\",\"audio\":\""u8.ToArray();
    private static readonly byte[] s_appendTail = "\"}"u8.ToArray();

    public async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var sessionTap = tap?.OnSessionOpened();
        var engine = SimulatorEngine.Start(options, timeProvider);
        await using (engine.ConfigureAwait(false))
        {
            await engine.SubmitAsync(RealtimeMessage.Copy(s_pcmuSession, RealtimeMessageKind.Control), context.RequestAborted).ConfigureAwait(false);
            var stream = new StreamState();
            var receiving = ReceiveLoopAsync(socket, engine, sessionTap, stream, context.RequestAborted);
            var end = await SendLoopAsync(socket, engine, sessionTap, stream).ConfigureAwait(false);
            var status = end.Reason == UpstreamEndReason.Cancelled ? WebSocketCloseStatus.EndpointUnavailable : WebSocketCloseStatus.NormalClosure;
            await SimulatorWebSocketEndpoint.CloseAsync(socket, status, end.Description, context.RequestAborted).ConfigureAwait(false);
            if (await Task.WhenAny(receiving, Task.Delay(CloseTimeout, TimeProvider.System, CancellationToken.None)).ConfigureAwait(false) != receiving)
            {
                socket.Abort();
            }

            await receiving.ConfigureAwait(false);
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, SimulatorEngine engine, SimulatorSessionTap? sessionTap, StreamState stream, CancellationToken cancellationToken)
    {
        var end = new UpstreamEnd(UpstreamEndReason.ClosedByUs, "client closed the socket");
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        end = new UpstreamEnd(UpstreamEndReason.MalformedFrame, "oversized frame");
                        break;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                length += read.Count;
                if (!read.EndOfMessage)
                {
                    continue;
                }

                var message = Translate(buffer.AsSpan(0, length), stream);
                length = 0;
                sessionTap?.OnClientMessage(message.IsEmpty ? RealtimeMessageKind.Control : RealtimeMessageKind.Audio);
                if (!message.IsEmpty && !await engine.SubmitAsync(message, cancellationToken).ConfigureAwait(false))
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
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await engine.CloseAsync(end).ConfigureAwait(false);
    }

    /// <summary>
    /// A Twilio message as the engine's input: a <c>media</c> frame becomes an append carrying its base64 payload as
    /// it is (the session's input is μ-law); <c>start</c> gives the stream sid; anything else yields nothing.
    /// </summary>
    internal static RealtimeMessage Translate(ReadOnlySpan<byte> json, StreamState stream)
    {
        var reader = new Utf8JsonReader(json);
        var isMedia = false;
        var isMark = false;
        RealtimeMessage append = default;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event"u8))
                {
                    reader.Read();
                    isMedia = reader.ValueTextEquals("media"u8);
                    isMark = reader.ValueTextEquals("mark"u8);
                }
                else if (reader.ValueTextEquals("media"u8) && append.IsEmpty)
                {
                    reader.Read();
                    append = ReadPayload(ref reader);
                }
                else if (reader.ValueTextEquals("start"u8))
                {
                    reader.Read();
                    stream.StreamSid = ReadString(ref reader, "streamSid"u8) ?? stream.StreamSid;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            append.Dispose();
            return default;
        }

        if (isMedia)
        {
            return append;
        }

        if (isMark)
        {
            stream.MarkEchoed();
        }

        append.Dispose();
        return default;
    }

    private static RealtimeMessage ReadPayload(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return default;
        }

        RealtimeMessage append = default;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals("payload"u8);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String && append.IsEmpty)
            {
                // Base64 is never escaped by Twilio's or our writers; an escaped payload is unescaped into the buffer.
                var size = s_appendHead.Length + reader.ValueSpan.Length + s_appendTail.Length;
                var buffer = ArrayPool<byte>.Shared.Rent(size);
                var span = buffer.AsSpan();
                s_appendHead.CopyTo(span);
                var written = reader.ValueIsEscaped ? reader.CopyString(span[s_appendHead.Length..]) : Copy(reader.ValueSpan, span[s_appendHead.Length..]);
                s_appendTail.CopyTo(span[(s_appendHead.Length + written)..]);
                append = RealtimeMessage.FromRented(buffer, s_appendHead.Length + written + s_appendTail.Length, RealtimeMessageKind.Audio);
            }
            else
            {
                reader.Skip();
            }
        }

        return append;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static string? ReadString(ref Utf8JsonReader reader, ReadOnlySpan<byte> property)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? value = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var wanted = reader.ValueTextEquals(property);
            reader.Read();
            if (wanted && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return value;
    }

    private async Task<UpstreamEnd> SendLoopAsync(WebSocket socket, SimulatorEngine engine, SimulatorSessionTap? sessionTap, StreamState stream)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        var audio = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long marks = 0;
        try
        {
            while (true)
            {
                var result = await engine.ReceiveAsync(stopping).ConfigureAwait(false);
                if (result.IsEnd)
                {
                    return result.End!;
                }

                using var message = result.Message;
                if (!RealtimeEventPeek.TryPeek(message.Span, out var type))
                {
                    continue;
                }

                sessionTap?.OnServerEvent(type);
                try
                {
                    if (type == RealtimeEventType.ResponseOutputAudioDelta)
                    {
                        var needed = RealtimeAudioFrames.GetMaxDecodedAudioLength(message.Length);
                        if (audio.Length < needed)
                        {
                            ArrayPool<byte>.Shared.Return(audio);
                            audio = ArrayPool<byte>.Shared.Rent(needed);
                        }

                        if (!RealtimeAudioFrames.TryReadOutputAudioDelta(message.Span, audio, out var delta))
                        {
                            continue;
                        }

                        for (var offset = 0; offset < delta.AudioLength; offset += FrameBytes)
                        {
                            WriteMedia(json, output, stream, audio.AsSpan(offset, Math.Min(FrameBytes, delta.AudioLength - offset)));
                            await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                        }

                        WriteMark(json, output, stream, ++marks);
                        await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                    else if (type == RealtimeEventType.InputAudioBufferSpeechStarted && stream.MarksEchoed < marks)
                    {
                        WriteClear(json, output, stream);
                        await socket.SendAsync(output.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    }
                }
                catch (WebSocketException)
                {
                    await engine.CloseAsync(new UpstreamEnd(UpstreamEndReason.ConnectionLost, "client connection lost")).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(audio);
        }
    }

    private static void WriteMedia(Utf8JsonWriter json, ArrayBufferWriter<byte> output, StreamState stream, ReadOnlySpan<byte> mulaw)
    {
        Begin(json, output, "media"u8, stream);
        json.WriteStartObject("media"u8);
        json.WriteBase64String("payload"u8, mulaw);
        json.WriteEndObject();
        End(json);
    }

    private static void WriteMark(Utf8JsonWriter json, ArrayBufferWriter<byte> output, StreamState stream, long number)
    {
        Begin(json, output, "mark"u8, stream);
        json.WriteStartObject("mark"u8);
        Span<char> name = stackalloc char[24];
        name[0] = 'd';
        number.TryFormat(name[1..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
        json.WriteString("name"u8, name[..(digits + 1)]);
        json.WriteEndObject();
        End(json);
    }

    private static void WriteClear(Utf8JsonWriter json, ArrayBufferWriter<byte> output, StreamState stream)
    {
        Begin(json, output, "clear"u8, stream);
        End(json);
    }

    private static void Begin(Utf8JsonWriter json, ArrayBufferWriter<byte> output, ReadOnlySpan<byte> eventName, StreamState stream)
    {
        output.ResetWrittenCount();
        json.Reset(output);
        json.WriteStartObject();
        json.WriteString("event"u8, eventName);
        json.WriteString("streamSid"u8, stream.StreamSid ?? string.Empty);
    }

    private static void End(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.Flush();
    }

    /// <summary>What the receive loop learnt from <c>start</c> that the send loop writes back.</summary>
    internal sealed class StreamState
    {
        private long _marksEchoed;

        public long MarksEchoed => Interlocked.Read(ref _marksEchoed);

        public void MarkEchoed() => Interlocked.Increment(ref _marksEchoed);

        public string? StreamSid
        {
            get => Volatile.Read(ref field);
            set => Volatile.Write(ref field, value);
        }
    }
}
