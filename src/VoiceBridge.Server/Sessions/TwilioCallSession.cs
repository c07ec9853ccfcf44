using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Sessions;

/// <summary>
/// One phone call: owns the Twilio socket, the upstream connection, both resamplers and the playback tracker.
/// Like aspnetcore's WebSocketsServerTransport it runs a receive loop per socket and a send loop for the caller,
/// joined by a bounded channel; the first loop to finish cancels the others, then everything closes with a reason
/// and every rented buffer goes back. Expected failures are <see cref="CallEndReason"/> values, never exceptions.
/// </summary>
internal sealed partial class TwilioCallSession : ILiveCall, IAsyncDisposable
{
    /// <summary>Twilio's leg is capped at 64 KiB per message; real frames are ~350 bytes.</summary>
    public const int MaxCallerMessageBytes = 64 * 1024;

    // 20 ms at 8 kHz μ-law: the frame size Twilio sends and we send back
    // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
    private const int FrameBytes = 160;

    // Twilio sends 50 media messages a second; ten times that is a flood whose excess is dropped and counted.
    private const int MaxCallerMessagesPerSecond = 500;

    // Outbound messages queued for the caller before we decide it is not reading. Replies arrive faster than real
    // time (a 10 s answer in ~2 s = 500 frames + marks), and Twilio buffers them, so this only fills when stuck.
    private const int CallerSendQueueCapacity = 4096;

    private readonly CallerSocket _caller;
    private readonly CallRecorder? _audit;
    private readonly UpstreamReconnect? _reconnect;
    private readonly IRealtimeConnector _connector;
    private readonly CallTokens _tokens;
    private readonly SessionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _startTimeout;
    private readonly PlaybackTracker _playback;
    private readonly Lock _playbackLock = new();
    private readonly Utf8IdCache _responseIds = new();
    private readonly Utf8IdCache _itemIds = new();
    private readonly byte[] _pendingFrame = new byte[FrameBytes];
    private readonly HashSet<CallDrop> _loggedDrops = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CallController? _control;

    // Builds every message to the caller; written only from the upstream loop, detached after each message.
    private readonly PooledBufferWriter _toCallerBuffer = new();
    private Resampler? _inbound;
    private Resampler? _outbound;
    private TwilioWriter? _writer;
    private IRealtimeConnection? _upstream;
    private byte[]? _streamSidUtf8;
    private string? _pendingItemId;
    private int _pendingFrameLength;
    private RateWindow _callerRate;
    private RateWindow _refusedRate;
    private int _flooding;
    private int _ended;
    private int _closed;
    private CallEndReason _endReason;
    private string? _endDetail;

    public TwilioCallSession(
        WebSocket caller,
        IRealtimeConnector connector,
        CallTokens tokens,
        SessionPolicy policy,
        TimeProvider time,
        ILogger logger,
        TimeSpan startTimeout,
        CallRecorder? audit = null,
        UpstreamReconnect? reconnect = null)
    {
        _reconnect = reconnect;
        _caller = new CallerSocket(caller, CallerSendQueueCapacity, MaxCallerMessageBytes, audit);
        _audit = audit;
        audit?.Attach(this);
        _connector = connector;
        _tokens = tokens;
        _policy = policy;
        _time = time;
        _logger = logger;
        _startTimeout = startTimeout;
        _playback = new PlaybackTracker(time);
    }

    /// <summary>The CallSid once <c>start</c> has been accepted.</summary>
    public string? CallSid { get; private set; }

    string? ILiveCall.CallId => CallSid;

    /// <inheritdoc/>
    public string Transport => "twilio";

    /// <summary>The StreamSid once <c>start</c> has been accepted.</summary>
    public string? StreamSid { get; private set; }

    /// <summary>Who called (from the call token), when known.</summary>
    public string? Caller { get; private set; }

    /// <inheritdoc/>
    public string State => CallSid is null ? "starting" : _control?.State ?? "live";

    /// <inheritdoc/>
    public CallController? Control => _control;

    /// <inheritdoc/>
    public void RecordControl(string action, string adminKeyId, string? detail) => _audit?.Controlled(action, adminKeyId, detail);

    /// <summary>Counted drops and discards, per reason, for tests and metrics.</summary>
    public CallCounters Counters { get; } = new();

    /// <summary>Tools, idle handling and the operator's commands for this call; none when null.</summary>
    public CallControlServices? ControlServices { get; init; }

    /// <summary>This call's spans and metrics (Telemetry/); detached unless the endpoint started one.</summary>
    public CallTelemetry Telemetry { get; init => Counters.Observer = field = value; } = CallTelemetry.Detached("twilio");

    /// <summary>The live calls; with it, a start whose CallSid already has a live call is refused (replayed webhook).</summary>
    public CallRegistry? Registry { get; init; }

    /// <summary>How playback is followed for barge-in (<c>Twilio:MarkEveryFrames</c>, <c>Twilio:InterpolatePlayback</c>).</summary>
    public PlaybackSettings Playback { get => _playback.Settings; init => _playback.Settings = value; }

    /// <summary>When the caller counts as flooding and is closed (<c>Session:MaxRefusedMessages</c>, <c>Session:RefusedWindow</c>).</summary>
    public CallerFlood Flood { get; init; } = new();

    /// <summary>Runs the call to its end and returns why it ended.</summary>
    public async Task<CallEndReason> RunAsync(CancellationToken aborted)
    {
        // The request is aborted when the caller's connection drops; the shutdown drain stops calls by itself (Shutdown/).
        using var shutdown = aborted.Register(() => Stop(CallEndReason.CallerAborted, "caller connection dropped without a close"));
        // Disposed when the method returns, after the finally block has closed the socket (no read is pending then).
        using var receiveBuffer = new ReceiveBuffer();
        Task? callerReceive = null;
        try
        {
            var start = await AwaitStartAsync(receiveBuffer);
            if (start.Pending is { } stillReading)
            {
                // Refused before any upstream was opened: the close handshake below ends the pending read.
                callerReceive = stillReading;
                return _endReason;
            }

            if (!start.Accepted)
            {
                return _endReason;
            }

            var connect = await Telemetry.ConnectAsync(_connector, _stop.Token);
            if (!connect.IsConnected)
            {
                var failure = connect.Failure!;
                End(CallEndReason.UpstreamConnectFailed, failure.Description);
                LogUpstreamConnectFailed(_logger, CallSid!, failure.Reason, failure.HttpStatus, failure.Description);
                callerReceive = DrainCallerAsync(receiveBuffer);
                return _endReason;
            }

            _upstream = ReconnectingUpstream.Supervise(connect.Connection!, _reconnect, _connector, _policy, _audit, _time, _logger, CallSid!);
            await _upstream.SendAsync(RealtimeEventSerializer.ToMessage(_policy.ToSessionUpdate()), _stop.Token);
            await AttachControlAsync();

            // The caller's receive is never cancelled (that would abort the socket before our close frame): it
            // ends with the peer's close, which our close frame asks for.
            callerReceive = ReceiveFromCallerAsync(receiveBuffer);
            var upstreamReceive = ReceiveFromUpstreamAsync(_stop.Token);
            var callerSend = SendToCallerAsync();
            await Task.WhenAny(callerReceive, upstreamReceive, callerSend, _stopped.Task);
            await _stop.CancelAsync();
            _caller.CompleteSending();
            await upstreamReceive;
            await callerSend.WaitAsync(WebSocketClosing.Timeout, _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return _endReason;
        }
        catch (OperationCanceledException)
        {
            // Stop() or the host's shutdown while connecting; a reason given by Stop() wins (End keeps the first).
            End(CallEndReason.ServerShutdown, "aborted");
            callerReceive ??= DrainCallerAsync(receiveBuffer);
            return _endReason;
        }
        finally
        {
            _control?.Dispose();
            await CloseAsync(callerReceive);
            await (_audit?.CompleteAsync(_endReason, _endDetail) ?? Task.CompletedTask);
            LogCallEnded(_logger, CallSid ?? "(before start)", _endReason, _endDetail ?? string.Empty);
        }
    }

    /// <summary>Ends the call from outside (operator hang-up, shutdown).</summary>
    public void Stop(CallEndReason reason, string detail)
    {
        End(reason, detail);
        _stopped.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(null);
        _stop.Dispose();
    }

    // Phase 1: nothing reaches an upstream until Twilio's start message has presented a valid call token.
    private async Task<StartOutcome> AwaitStartAsync(ReceiveBuffer buffer)
    {
        var deadline = Task.Delay(_startTimeout, _time);
        while (true)
        {
            var read = _caller.ReadAsync(buffer).AsTask();
            var first = await Task.WhenAny(read, deadline, _stopped.Task);
            if (first != read)
            {
                if (first == deadline)
                {
                    End(CallEndReason.PolicyViolation, "no start message in time");
                    LogPolicyViolation(_logger, "no start message within the timeout");
                }

                return new StartOutcome(false, read);
            }

            var message = await read;
            switch (message.Kind)
            {
                case CallerReadKind.Closed:
                    End(message.Aborted ? CallEndReason.CallerAborted : CallEndReason.CallerClosed, "closed before start");
                    return default;
                case CallerReadKind.TooBig:
                    End(CallEndReason.MessageTooBig, "message over 64 KiB");
                    _audit?.Dropped(CallDrop.TooBig, message.Length);
                    return new StartOutcome(false, DrainCallerAsync(buffer));
                case CallerReadKind.Binary:
                    if (Refuse(CallDrop.BinaryFrame, message.Length))
                    {
                        return new StartOutcome(false, DrainCallerAsync(buffer));
                    }

                    continue;
            }

            var span = buffer.Array.AsSpan(0, message.Length);
            var status = TwilioReader.Read(span, default, out var frame);
            if (frame.Event == TwilioEvent.Start)
            {
                _audit?.Received(span, binary: false);
                return AcceptStart(span) ? new StartOutcome(true, null) : new StartOutcome(false, DrainCallerAsync(buffer));
            }

            if (frame.Event == TwilioEvent.Stop)
            {
                _audit?.Received(span, binary: false);
                End(CallEndReason.CallerHungUp, "stop before start");
                return new StartOutcome(false, DrainCallerAsync(buffer));
            }

            if (frame.Event == TwilioEvent.Connected)
            {
                _audit?.Received(span, binary: false);
            }
            else if (Refuse(status == TwilioReadStatus.Ok || status == TwilioReadStatus.PayloadTooLarge ? CallDrop.BeforeStart : ToDrop(status), message.Length))
            {
                return new StartOutcome(false, DrainCallerAsync(buffer));
            }
        }
    }

    // After we decided to end, read (and ignore, counted) until the caller answers our close frame.
    private async Task DrainCallerAsync(ReceiveBuffer buffer)
    {
        CallerRead read;
        while ((read = await _caller.ReadAsync(buffer)).Kind != CallerReadKind.Closed)
        {
            _audit?.Dropped(CallDrop.AfterEnd, read.Length);
        }
    }

    private bool AcceptStart(ReadOnlySpan<byte> json)
    {
        var start = TwilioStartReader.TryRead(json);
        if (start?.Start is not { CallSid: { } callSid } body || string.IsNullOrEmpty(body.StreamSid ?? start.StreamSid))
        {
            End(CallEndReason.PolicyViolation, "start message without callSid/streamSid");
            LogPolicyViolation(_logger, "start message without callSid or streamSid");
            return false;
        }

        string? token = null;
        body.CustomParameters?.TryGetValue(Twiml.CallTokenParameter, out token);
        var check = _tokens.Check(token, callSid);
        if (!check.IsValid)
        {
            End(CallEndReason.PolicyViolation, "call token " + check.Status);
            LogCallTokenRejected(_logger, callSid, check.Status);
            return false;
        }

        // One live call per CallSid: a second stream (a replayed webhook's token) is refused like a bad token and the
        // first call is not touched.
        if (Registry is { } registry && !registry.TryClaim(this, callSid))
        {
            registry.CountReplayRefused();
            End(CallEndReason.PolicyViolation, "call already live");
            LogCallAlreadyLive(_logger, callSid);
            return false;
        }

        CallSid = callSid;
        StreamSid = body.StreamSid ?? start.StreamSid!;
        Caller = check.Caller;
        _streamSidUtf8 = Encoding.UTF8.GetBytes(StreamSid);
        _writer = new TwilioWriter(StreamSid);
        _audit?.Open(callSid, CallRecorders.PolicyOf(_policy));
        if (!_policy.PassthroughMulaw)
        {
            _inbound = Resampler.Create(8000, 24000);
            _outbound = Resampler.Create(24000, 8000);
        }

        LogCallStarted(_logger, callSid, StreamSid, _policy.PassthroughMulaw ? "pcmu" : "pcm24k");
        Telemetry.OnStarted(callSid, StreamSid, _policy.PassthroughMulaw ? "pcmu" : "pcm24k", _policy.PassthroughMulaw ? 1 : 6);
        return true;
    }

    private async Task ReceiveFromCallerAsync(ReceiveBuffer buffer)
    {
        var token = _stop.Token;
        // Decoded μ-law of one message: at most 3/4 of the message. Sized for ordinary messages and grown with the
        // receive buffer (not rented at the 64 KiB cap for every call: that memory would be resident per call).
        var audio = ArrayPool<byte>.Shared.Rent(ReceiveBuffer.InitialBytes);
        try
        {
            while (true)
            {
                var read = await _caller.ReadAsync(buffer);
                switch (read.Kind)
                {
                    case CallerReadKind.Closed when read.Aborted:
                        End(CallEndReason.CallerAborted, "caller connection dropped without a close");
                        return;
                    case CallerReadKind.Closed:
                        End(CallEndReason.CallerClosed, "caller closed the socket");
                        return;
                    case CallerReadKind.TooBig:
                        // Keep reading (and discarding) so the close handshake can complete behind the oversized message.
                        Stop(CallEndReason.MessageTooBig, "message over 64 KiB");
                        _audit?.Dropped(CallDrop.TooBig, read.Length);
                        continue;
                }

                if (token.IsCancellationRequested || Volatile.Read(ref _ended) == 1)
                {
                    // Ending (the reason is set before the loops are cancelled): keep reading until the caller answers
                    // our close frame, but act on nothing (counted).
                    _audit?.Dropped(CallDrop.AfterEnd, read.Length);
                    continue;
                }

                if (read.Kind == CallerReadKind.Binary)
                {
                    Refuse(CallDrop.BinaryFrame, read.Length);
                    continue;
                }

                if (IsFlooding())
                {
                    // Over the rate, media is dropped; a stop never is (the caller hung up, whatever else it sent).
                    if (IsStop(buffer.Array.AsSpan(0, read.Length)))
                    {
                        _audit?.Received(buffer.Array.AsSpan(0, read.Length), binary: false);
                        Stop(CallEndReason.CallerHungUp, "stop");
                        continue;
                    }

                    Refuse(CallDrop.Flood, read.Length);
                    continue;
                }

                if (audio.Length < buffer.Array.Length)
                {
                    ArrayPool<byte>.Shared.Return(audio);
                    audio = ArrayPool<byte>.Shared.Rent(buffer.Array.Length);
                }

                try
                {
                    if (!await HandleCallerMessageAsync(buffer.Array.AsMemory(0, read.Length), audio, token))
                    {
                        Stop(_endReason, _endDetail ?? string.Empty);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The upstream send was cancelled because the call is ending.
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(audio);
        }
    }

    // Returns false when the call should end.
    private async ValueTask<bool> HandleCallerMessageAsync(ReadOnlyMemory<byte> message, byte[] audio, CancellationToken token)
    {
        var received = Stopwatch.GetTimestamp();
        var status = TwilioReader.Read(message.Span, audio, out var frame);
        if (status != TwilioReadStatus.Ok)
        {
            Refuse(ToDrop(status), message.Length);
            return true;
        }

        if (!frame.StreamSid.IsEmpty && !frame.StreamSid.SequenceEqual(_streamSidUtf8))
        {
            Refuse(CallDrop.WrongStreamSid, message.Length);
            return true;
        }

        switch (frame.Event)
        {
            case TwilioEvent.Media:
                if (frame.PayloadLength == 0)
                {
                    Refuse(CallDrop.EmptyPayload, message.Length);
                    return true;
                }

                // Audited before it is forwarded: the recording places the upstream copy at the caller copy's offset.
                _audit?.Received(message.Span, binary: false);
                var payload = audio.AsMemory(0, frame.PayloadLength);
                await ForwardCallerAudioAsync(payload, token);
                Telemetry.OnInboundAudio(payload.Length, received);
                return true;
            case TwilioEvent.Mark:
                if (!TryParseMark(frame.Name, out _))
                {
                    Refuse(CallDrop.UnknownMark, message.Length);
                    return true;
                }

                _audit?.Received(message.Span, binary: false);
                OnMarkEcho(frame.Name);
                return true;
            case TwilioEvent.Dtmf:
                // The digit becomes text in the prompt: one keypad key only, or a caller could type instructions.
                if (frame.Name.Length != 1 || !IsKeypadKey(frame.Name[0]))
                {
                    Drop(CallDrop.InvalidDtmf);
                    return true;
                }

                _audit?.Received(message.Span, binary: false);
                await ForwardDigitAsync(Encoding.UTF8.GetString(frame.Name), token);
                return true;
            case TwilioEvent.Stop:
                _audit?.Received(message.Span, binary: false);
                End(CallEndReason.CallerHungUp, "stop");
                return false;
            default:
                Refuse(CallDrop.UnexpectedEvent, message.Length);
                return true;
        }
    }

    private async ValueTask ForwardCallerAudioAsync(ReadOnlyMemory<byte> mulaw, CancellationToken token)
    {
        var upstream = _upstream!;
        if (_inbound is null)
        {
            // Passthrough: the GA API takes Twilio's 8 kHz μ-law as audio/pcmu unchanged
            // (docs/protocols/openai-realtime.md#audio-formats).
            await upstream.SendAsync(RealtimeAudioFrames.WriteInputAudioBufferAppend(mulaw.Span), token);
            return;
        }

        // Transcode in 20 ms slices so the scratch buffers stay small whatever the payload size.
        for (var offset = 0; offset < mulaw.Length; offset += FrameBytes)
        {
            var slice = mulaw.Slice(offset, Math.Min(FrameBytes, mulaw.Length - offset));
            var message = TranscodeInbound(slice.Span);
            await upstream.SendAsync(message, token);
        }
    }

    private RealtimeMessage TranscodeInbound(ReadOnlySpan<byte> mulaw)
    {
        Span<short> pcm8 = stackalloc short[FrameBytes];
        Span<short> pcm24 = stackalloc short[_inbound!.GetMaxOutputLength(FrameBytes)];
        MuLaw.Decode(mulaw, pcm8);
        var produced = _inbound.Process(pcm8[..mulaw.Length], pcm24);
        // PCM16 little-endian is the wire format (docs/protocols/openai-realtime.md#audio-formats); this machine is
        // little-endian too.
        return RealtimeAudioFrames.WriteInputAudioBufferAppend(MemoryMarshal.AsBytes(pcm24[..produced]));
    }

    private static bool IsKeypadKey(byte key) => key is (>= (byte)'0' and <= (byte)'9') or (byte)'*' or (byte)'#' or (>= (byte)'A' and <= (byte)'D');

    private async ValueTask ForwardDigitAsync(string digit, CancellationToken token)
    {
        // A key press becomes a user text item; if the model is idle it is asked to respond, otherwise a caller
        // pressing "1" at a menu would hear nothing until they spoke.
        var item = new ConversationItemCreateEvent
        {
            Item = new RealtimeItem
            {
                Type = "message",
                Role = "user",
                Content = [new RealtimeContentPart { Type = "input_text", Text = "The caller pressed the phone key " + digit + "." }],
            },
        };
        await _upstream!.SendAsync(RealtimeEventSerializer.ToMessage(item), token);
        bool idle;
        lock (_playbackLock)
        {
            idle = !_playback.IsResponseActive;
        }

        if (idle)
        {
            await _upstream.SendAsync(RealtimeEventSerializer.ToMessage(new ResponseCreateEvent()), token);
        }
    }

    private void OnMarkEcho(ReadOnlySpan<byte> name)
    {
        if (!TryParseMark(name, out var mark))
        {
            Drop(CallDrop.UnknownMark);
            return;
        }

        MarkEcho echo;
        lock (_playbackLock)
        {
            echo = _playback.OnMarkEchoed(mark);
        }

        Telemetry.OnMarkEchoed(mark, echo.Kind);

        if (echo.Kind == MarkEchoKind.Unknown)
        {
            Drop(CallDrop.UnknownMark);
        }
        else if (echo.Kind == MarkEchoKind.Played)
        {
            _control?.OnPlaybackProgress();
        }
        else if (echo.Kind == MarkEchoKind.Cleared)
        {
            Counters.Add(CallDrop.ClearedMark);
        }
    }

    private async Task ReceiveFromUpstreamAsync(CancellationToken token)
    {
        var upstream = _upstream!;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var result = await upstream.ReceiveAsync(token);
                if (result.IsEnd)
                {
                    var end = result.End!;
                    if (end.Reason != UpstreamEndReason.Cancelled && end.Reason != UpstreamEndReason.ClosedByUs)
                    {
                        End(CallEndReason.UpstreamClosed, end.Description);
                        LogUpstreamEnded(_logger, CallSid!, end.Reason, end.CloseStatus, end.Description);
                    }

                    return;
                }

                using var message = result.Message;
                if (!await HandleUpstreamEventAsync(message, token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask<bool> HandleUpstreamEventAsync(RealtimeMessage message, CancellationToken token)
    {
        if (!RealtimeEventPeek.TryPeek(message.Span, out var type))
        {
            Drop(CallDrop.MalformedUpstreamEvent);
            return true;
        }

        Telemetry.OnUpstreamEvent(type, message.Span);
        _control?.OnUpstreamEvent(type, message.Span);
        switch (type)
        {
            case RealtimeEventType.ResponseOutputAudioDelta:
                return ForwardAssistantAudio(message.Span);
            case RealtimeEventType.ResponseOutputAudioDone:
                FlushPendingFrame();
                return true;
            case RealtimeEventType.InputAudioBufferSpeechStarted:
                await BargeInAsync(token);
                return true;
            case RealtimeEventType.ResponseCreated:
                if (RealtimeEventSerializer.TryParse(message.Span, out var created) && created is ResponseCreatedEvent { Response.Id: { } createdId })
                {
                    lock (_playbackLock)
                    {
                        _playback.OnResponseCreated(createdId);
                    }
                }

                return true;
            case RealtimeEventType.ResponseDone:
                if (RealtimeEventSerializer.TryParse(message.Span, out var done) && done is ResponseDoneEvent { Response.Id: { } doneId })
                {
                    lock (_playbackLock)
                    {
                        _playback.OnResponseDone(doneId);
                    }
                }

                return true;
            case RealtimeEventType.Error:
                if (RealtimeEventSerializer.TryParse(message.Span, out var error) && error is ErrorEvent errorEvent)
                {
                    LogUpstreamError(_logger, CallSid!, errorEvent.Error?.Code ?? "unknown", errorEvent.Error?.Type ?? "unknown");
                }

                return true;
            default:
                return true;
        }
    }

    // Returns false when the caller cannot keep up (the call then ends).
    private bool ForwardAssistantAudio(ReadOnlySpan<byte> json)
    {
        var received = Stopwatch.GetTimestamp();
        var decoded = ArrayPool<byte>.Shared.Rent(RealtimeAudioFrames.GetMaxDecodedAudioLength(json.Length));
        try
        {
            if (!RealtimeAudioFrames.TryReadOutputAudioDelta(json, decoded, out var delta))
            {
                Drop(CallDrop.MalformedUpstreamEvent);
                return true;
            }

            var responseId = _responseIds.Get(json[delta.ResponseId]);
            var itemId = _itemIds.Get(json[delta.ItemId]);
            lock (_playbackLock)
            {
                if (_playback.IsInterrupted(responseId))
                {
                    // Audio still streaming for a response the caller talked over: neither played nor forwarded.
                    Counters.Add(CallDrop.InterruptedAudio);
                    _audit?.Dropped(CallDrop.InterruptedAudio, json.Length);
                    return true;
                }
            }

            if (_pendingItemId is not null && !string.Equals(_pendingItemId, itemId, StringComparison.Ordinal))
            {
                FlushPendingFrame();
            }

            _pendingItemId = itemId;
            var audio = decoded.AsSpan(0, delta.AudioLength);
            if (!(_outbound is null ? QueueMulaw(audio) : TranscodeOutbound(audio)))
            {
                return false;
            }

            Telemetry.OnOutboundAudio(delta.AudioLength, received);
            return SendMark();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    // Tools, idle handling and the operator's commands (Calls/CallController), when the host provides them.
    private async ValueTask AttachControlAsync()
    {
        if (ControlServices is not null)
        {
            _control = ControlServices.Create(Transport, IsPlaying, Stop);
            await _control.AttachAsync(_upstream!, CallSid!, _stop.Token, Telemetry.StartToolCall);
        }
    }

    private bool IsPlaying()
    {
        lock (_playbackLock)
        {
            return _playback.IsPlaying;
        }
    }

    private bool TranscodeOutbound(ReadOnlySpan<byte> pcm24Bytes)
    {
        // An odd trailing byte cannot be a PCM16 sample; real deltas never have one.
        var samples = MemoryMarshal.Cast<byte, short>(pcm24Bytes[..(pcm24Bytes.Length & ~1)]);
        const int SliceSamples = FrameBytes * 3;
        Span<short> pcm8 = stackalloc short[_outbound!.GetMaxOutputLength(SliceSamples)];
        Span<byte> mulaw = stackalloc byte[pcm8.Length];
        for (var offset = 0; offset < samples.Length; offset += SliceSamples)
        {
            var slice = samples.Slice(offset, Math.Min(SliceSamples, samples.Length - offset));
            var produced = _outbound!.Process(slice, pcm8);
            MuLaw.Encode(pcm8[..produced], mulaw);
            if (!QueueMulaw(mulaw[..produced]))
            {
                return false;
            }
        }

        return true;
    }

    // Cuts μ-law into 160-byte media frames; a partial frame waits for the item's next delta.
    private bool QueueMulaw(ReadOnlySpan<byte> mulaw)
    {
        while (!mulaw.IsEmpty)
        {
            var take = Math.Min(FrameBytes - _pendingFrameLength, mulaw.Length);
            mulaw[..take].CopyTo(_pendingFrame.AsSpan(_pendingFrameLength));
            _pendingFrameLength += take;
            mulaw = mulaw[take..];
            if (_pendingFrameLength == FrameBytes && !SendPendingFrame())
            {
                return false;
            }
        }

        return true;
    }

    private void FlushPendingFrame()
    {
        if (_pendingFrameLength == 0 || _pendingItemId is null)
        {
            return;
        }

        // The item's last, short frame: sent as is (Twilio plays any payload length), not padded with silence
        // that would count as heard audio.
        if (SendPendingFrame())
        {
            SendMark();
        }
    }

    private bool SendPendingFrame()
    {
        _writer!.WriteMedia(_toCallerBuffer, _pendingFrame.AsSpan(0, _pendingFrameLength));
        Counters.AddOutbound(_pendingFrameLength);
        Telemetry.OnCallerFrameSent(_pendingFrameLength);
        bool markDue;
        lock (_playbackLock)
        {
            // 8 bytes of μ-law are 1 ms at 8 kHz (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
            markDue = _playback.OnFrameSent(_pendingItemId!, _pendingFrameLength / 8.0);
        }

        _pendingFrameLength = 0;
        return QueueToCaller(_toCallerBuffer.DetachMessage(RealtimeMessageKind.Audio)) && (!markDue || SendMark());
    }

    // Marks the audio sent since the last mark (after each delta, and every Playback.MarkEveryFrames frames).
    private bool SendMark()
    {
        long mark;
        lock (_playbackLock)
        {
            if (_playback.TakeMark() is not { } taken)
            {
                return true;
            }

            mark = taken;
        }

        Telemetry.OnMarkSent(mark);

        Span<char> name = stackalloc char[24];
        name[0] = 'm';
        mark.TryFormat(name[1..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _writer!.WriteMark(_toCallerBuffer, name[..(written + 1)]);
        return QueueToCaller(_toCallerBuffer.DetachMessage(RealtimeMessageKind.Control));
    }

    private async ValueTask BargeInAsync(CancellationToken token)
    {
        BargeInDecision decision;
        lock (_playbackLock)
        {
            decision = _playback.OnSpeechStarted();
        }

        _audit?.BargeIn(decision);

        if (decision.SendClear)
        {
            _pendingFrameLength = 0;
            _writer!.WriteClear(_toCallerBuffer);
            QueueToCaller(_toCallerBuffer.DetachMessage(RealtimeMessageKind.Control));
        }

        if (decision.TruncateItemId is { } itemId)
        {
            var truncate = new ConversationItemTruncateEvent { ItemId = itemId, ContentIndex = 0, AudioEndMs = decision.TruncateAtMs };
            await _upstream!.SendAsync(RealtimeEventSerializer.ToMessage(truncate), token);
        }

        if (decision.InterruptedResponseId is not null && !_policy.UpstreamInterruptsResponses)
        {
            await _upstream!.SendAsync(RealtimeEventSerializer.ToMessage(new ResponseCancelEvent()), token);
        }

        if (!decision.IsNoOp)
        {
            Counters.Add(CallDrop.BargeIn);
            LogBargeIn(_logger, CallSid!, decision.TruncateItemId ?? "(none)", decision.TruncateAtMs, decision.SendClear);
        }
    }

    private bool QueueToCaller(RealtimeMessage message)
    {
        if (_caller.TryQueue(message))
        {
            return true;
        }

        End(CallEndReason.CallerNotReading, "send queue full");
        _stopped.TrySetResult();
        return false;
    }

    private async Task SendToCallerAsync()
    {
        if (!await _caller.SendLoopAsync())
        {
            End(CallEndReason.CallerClosed, "caller connection lost while sending");
        }
    }

    private bool IsFlooding() => _callerRate.Count(_time) > MaxCallerMessagesPerSecond;

    // Only on the flood path: one more parse of a message that is otherwise dropped unread.
    private static bool IsStop(ReadOnlySpan<byte> json) =>
        TwilioReader.Read(json, default, out var frame) == TwilioReadStatus.Ok && frame.Event == TwilioEvent.Stop;

    /// <summary>
    /// A caller message refused: counted (and summarised in the audit, never written itself), logged once per reason;
    /// past <see cref="CallerFlood.MaxRefused"/> within the window the caller is closed with 1008. Returns true then.
    /// Caller loop only.
    /// </summary>
    private bool Refuse(CallDrop drop, int bytes)
    {
        Drop(drop, bytes);
        if (_refusedRate.Count(_time, Flood.Window) <= Flood.MaxRefused || Interlocked.Exchange(ref _flooding, 1) == 1)
        {
            return false;
        }

        LogFlooding(_logger, CallSid ?? "(before start)", Flood.MaxRefused, Flood.Window.TotalSeconds);
        Stop(CallEndReason.CallerFlooding, $"more than {Flood.MaxRefused} refused messages within {Flood.Window.TotalSeconds:F0} s");
        return true;
    }

    private void Drop(CallDrop drop, int bytes = 0)
    {
        Counters.Add(drop);
        _audit?.Dropped(drop, bytes);
        bool first;
        lock (_loggedDrops)
        {
            first = _loggedDrops.Add(drop);
        }

        if (first)
        {
            // One line per reason per call; the counters carry the totals.
            LogDropped(_logger, CallSid ?? "(before start)", drop);
        }
    }

    private void End(CallEndReason reason, string detail)
    {
        if (Interlocked.CompareExchange(ref _ended, 1, 0) == 0)
        {
            _endReason = reason;
            _endDetail = detail;
        }
    }

    private async ValueTask CloseAsync(Task? callerReceive)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _caller.DiscardQueued();
        await WebSocketClosing.CloseUpstreamAsync(_upstream, _time);

        await CloseCallerAsync(callerReceive);
        _writer?.Dispose();
        _toCallerBuffer.Dispose();
    }

    private ValueTask CloseCallerAsync(Task? callerReceive)
    {
        var (status, description) = _endReason switch
        {
            CallEndReason.PolicyViolation => (WebSocketCloseStatus.PolicyViolation, "policy violation"),
            CallEndReason.CallerFlooding => (WebSocketCloseStatus.PolicyViolation, "too many refused messages"),
            CallEndReason.AuditBudget => (WebSocketCloseStatus.PolicyViolation, "audit budget spent"),
            CallEndReason.MessageTooBig => (WebSocketCloseStatus.MessageTooBig, "message too big"),
            CallEndReason.UpstreamConnectFailed or CallEndReason.UpstreamClosed => (WebSocketCloseStatus.InternalServerError, "upstream unavailable"),
            CallEndReason.ServerShutdown => (WebSocketCloseStatus.EndpointUnavailable, "server shutting down"),
            CallEndReason.EndedByBridge => (WebSocketCloseStatus.NormalClosure, "call ended by the bridge"),
            _ => (WebSocketCloseStatus.NormalClosure, "call ended"),
        };

        return _caller.CloseAsync(status, description, callerReceive, _time);
    }

    private static bool TryParseMark(ReadOnlySpan<byte> name, out long mark)
    {
        mark = 0;
        return name.Length > 1 && name[0] == (byte)'m'
            && System.Buffers.Text.Utf8Parser.TryParse(name[1..], out mark, out var consumed) && consumed == name.Length - 1;
    }

    private static CallDrop ToDrop(TwilioReadStatus status) => status switch
    {
        TwilioReadStatus.MalformedJson => CallDrop.MalformedJson,
        TwilioReadStatus.MissingEvent or TwilioReadStatus.UnknownEvent => CallDrop.UnexpectedEvent,
        TwilioReadStatus.InvalidBase64 => CallDrop.InvalidBase64,
        TwilioReadStatus.PayloadTooLarge => CallDrop.InvalidBase64,
        _ => CallDrop.MissingField,
    };

    // Accepted: start was valid. Pending: a caller read still in flight that the close handshake will end.
    private readonly record struct StartOutcome(bool Accepted, Task? Pending);
}
