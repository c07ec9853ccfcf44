using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// The Twilio Media Streams leg of a call: <c>start</c> with its call token, 20 ms μ-law media both ways (transcoded to
/// and from PCM16 24 kHz, or passed through as <c>audio/pcmu</c>), marks as the truth about what the caller heard,
/// <c>clear</c> and truncation on barge-in, DTMF as text. Each caller frame is parsed, decoded and transcoded on the caller
/// loop and written upstream on the same task; each assistant delta is transcoded, framed and written to Twilio on the
/// upstream loop. Everything else about the call is the core's (<see cref="CallSession"/>).
/// </summary>
internal sealed partial class TwilioLeg : ICallerLeg, IDisposable
{
    /// <summary>Twilio's leg is capped at 64 KiB per message; real frames are ~350 bytes.</summary>
    public const int MaxCallerMessageBytes = 64 * 1024;

    // 20 ms at 8 kHz μ-law: the frame size Twilio sends and we send back
    // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
    private const int FrameBytes = 160;

    // Twilio sends 50 media messages a second; ten times that is a flood whose excess is dropped and counted.
    private const int MaxCallerMessagesPerSecond = 500;

    // Outbound messages queued behind a write in flight before we decide Twilio is not reading. Replies arrive faster than
    // real time (a 10 s answer in ~2 s = 500 frames + marks), and Twilio buffers them, so this only fills when stuck.
    private const int CallerSendQueueCapacity = 4096;

    private readonly CallerSocket _caller;
    private readonly CallTokens _tokens;
    private readonly SessionPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _startTimeout;
    private readonly PlaybackTracker _playback;
    private readonly Lock _playbackLock = new();
    private readonly byte[] _pendingFrame = new byte[FrameBytes];
    private readonly short[] _pendingPcm = new short[FrameBytes];

    // Builds every message to the caller; written only from the upstream loop, detached after each message.
    private readonly PooledBufferWriter _toCallerBuffer = new();
    private CallSession? _call;
    private Task<CallerRead>? _pendingRead;
    private Resampler? _inbound;
    private Resampler? _outbound;
    private TwilioWriter? _writer;
    private byte[]? _streamSidUtf8;
    private string? _pendingItemId;
    private int _pendingFrameLength;
    private RateWindow _callerRate;

    /// <param name="caller">Twilio's Media Streams socket.</param>
    /// <param name="tokens">Checks the call token in <c>start</c>.</param>
    /// <param name="policy">The server policy (transcoding or μ-law passthrough, and the session.update).</param>
    /// <param name="time">The clock (the start deadline, the playback estimate between mark echoes).</param>
    /// <param name="logger">The leg's log.</param>
    /// <param name="startTimeout">How long Twilio has to send <c>start</c>.</param>
    /// <param name="playback">How playback is followed for barge-in (<c>Twilio:MarkEveryFrames</c>, <c>Twilio:InterpolatePlayback</c>).</param>
    public TwilioLeg(WebSocket caller, CallTokens tokens, SessionPolicy policy, TimeProvider time, ILogger logger, TimeSpan startTimeout, PlaybackSettings? playback = null)
    {
        _playback = new PlaybackTracker(time) { Settings = playback ?? PlaybackSettings.Default };
        _caller = new CallerSocket(caller, CallerSendQueueCapacity, MaxCallerMessageBytes, OnSendFailed);
        _tokens = tokens;
        _policy = policy;
        _time = time;
        _logger = logger;
        _startTimeout = startTimeout;
    }

    public string Transport => "twilio";

    public string UpstreamAudio => _policy.PassthroughMulaw ? "pcmu" : "pcm24k";

    /// <summary>The StreamSid once <c>start</c> has been accepted.</summary>
    public string? StreamSid { get; private set; }

    public bool IsPlaying
    {
        get
        {
            lock (_playbackLock)
            {
                return _playback.IsPlaying;
            }
        }
    }

    /// <summary>Writes to Twilio that found its socket without room (a continuation each; the rest cost no wake-up).</summary>
    public long AsyncWrites => _caller.AsyncWrites;

    // Phase 1: nothing reaches an upstream until Twilio's start message has presented a valid call token.
    public async ValueTask<LegStart?> AcceptAsync(CallSession call)
    {
        _call = call;
        var deadline = Task.Delay(_startTimeout, _time);
        while (true)
        {
            var read = _caller.ReadAsync().AsTask();
            var first = await Task.WhenAny(read, deadline, call.Stopped);
            if (first != read)
            {
                if (first == deadline)
                {
                    call.End(CallEndReason.PolicyViolation, "no start message in time");
                    LogPolicyViolation(_logger, "no start message within the timeout");
                }

                // Refused before any upstream was opened: the caller loop finishes this read during the close handshake.
                _pendingRead = read;
                return null;
            }

            var message = await read;
            switch (message.Kind)
            {
                case CallerReadKind.Closed:
                    call.End(message.Aborted ? CallEndReason.CallerAborted : CallEndReason.CallerClosed, "closed before start");
                    return null;
                case CallerReadKind.TooBig:
                    call.End(CallEndReason.MessageTooBig, "message over 64 KiB");
                    call.Drop(CallDrop.TooBig, message.Length);
                    return null;
                case CallerReadKind.Binary:
                    if (call.Refuse(CallDrop.BinaryFrame, message.Length))
                    {
                        return null;
                    }

                    continue;
            }

            var span = _caller.Message.Span;
            var status = TwilioReader.Read(span, default, out var frame);
            switch (frame.Event)
            {
                case TwilioEvent.Start:
                    call.Observers.OnCallerMessage(span, binary: false);
                    return await AcceptStartAsync(call, TwilioStartReader.TryRead(span));
                case TwilioEvent.Stop:
                    call.Observers.OnCallerMessage(span, binary: false);
                    call.End(CallEndReason.CallerHungUp, "stop before start");
                    return null;
                case TwilioEvent.Connected:
                    call.Observers.OnCallerMessage(span, binary: false);
                    break;
                default:
                    if (call.Refuse(status is TwilioReadStatus.Ok or TwilioReadStatus.PayloadTooLarge ? CallDrop.BeforeStart : ToDrop(status), message.Length))
                    {
                        return null;
                    }

                    break;
            }
        }
    }

    public void OnSettled(RealtimeMessage sessionUpdated) => sessionUpdated.Dispose();

    public void OnEnding(CallEndReason reason, string message)
    {
        // Media Streams has no way to tell Twilio why: the close status says it.
    }

    public async Task ReceiveAsync(CallSession call)
    {
        try
        {
            while (true)
            {
                CallerRead read;
                if (_pendingRead is { } pending)
                {
                    _pendingRead = null;
                    read = await pending;
                }
                else
                {
                    read = await _caller.ReadAsync();
                }

                switch (read.Kind)
                {
                    case CallerReadKind.Closed when read.Aborted:
                        call.End(CallEndReason.CallerAborted, "caller connection dropped without a close");
                        return;
                    case CallerReadKind.Closed:
                        call.End(CallEndReason.CallerClosed, "caller closed the socket");
                        return;
                    case CallerReadKind.TooBig:
                        // Keep reading (and discarding) so the close handshake can complete behind the oversized message.
                        call.Drop(CallDrop.TooBig, read.Length);
                        call.Stop(CallEndReason.MessageTooBig, "message over 64 KiB");
                        continue;
                }

                if (call.HasEnded)
                {
                    // Ending (the reason is set before the loops are cancelled): keep reading until the caller answers
                    // our close frame, but act on nothing (counted).
                    call.Count(CallDrop.AfterEnd, read.Length);
                    continue;
                }

                if (read.Kind == CallerReadKind.Binary)
                {
                    call.Refuse(CallDrop.BinaryFrame, read.Length);
                    continue;
                }

                if (_callerRate.Count(_time) > MaxCallerMessagesPerSecond)
                {
                    // Over the rate, media is dropped; a stop never is (the caller hung up, whatever else it sent).
                    if (IsStop(_caller.Message.Span))
                    {
                        call.Observers.OnCallerMessage(_caller.Message.Span, binary: false);
                        call.Stop(CallEndReason.CallerHungUp, "stop");
                        continue;
                    }

                    call.Refuse(CallDrop.Flood, read.Length);
                    continue;
                }

                await HandleCallerMessageAsync(call, _caller.Message);
            }
        }
#pragma warning disable CA1031 // A bug here ends this call with a reason and a log line; it must not fault silently.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailed(_logger, call.CallId ?? "(before start)", ex);
            call.Stop(CallEndReason.InternalError, "unexpected " + ex.GetType().Name);
        }
        finally
        {
            _caller.Release();
        }
    }

    public async ValueTask<bool> OnUpstreamEventAsync(RealtimeEventType type, RealtimeMessage message, UpstreamAudioDelta audio, CancellationToken cancellationToken)
    {
        using (message)
        {
            switch (type)
            {
                case RealtimeEventType.ResponseOutputAudioDelta when audio.IsAudio:
                    return ForwardAssistantAudio(audio);
                case RealtimeEventType.ResponseOutputAudioDone:
                    FlushPendingFrame(audio.ReceivedAt);
                    return true;
                case RealtimeEventType.InputAudioBufferSpeechStarted:
                    await BargeInAsync(cancellationToken);
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
                default:
                    return true;
            }
        }
    }

    public async ValueTask CloseAsync(WebSocketCloseStatus status, string description, Task? callerLoop, TimeProvider time)
    {
        // Audio still queued for a call that is over would only be heard after its end.
        _caller.DiscardQueued();
        await _caller.CloseAsync(status, description, callerLoop, time);
        Dispose();
    }

    public void Dispose()
    {
        _writer?.Dispose();
        _toCallerBuffer.Dispose();
    }

    private async ValueTask<LegStart?> AcceptStartAsync(CallSession call, TwilioStart? start)
    {
        if (start?.Start is not { CallSid: { } callSid } body || string.IsNullOrEmpty(body.StreamSid ?? start.StreamSid))
        {
            call.End(CallEndReason.PolicyViolation, "start message without callSid/streamSid");
            LogPolicyViolation(_logger, "start message without callSid or streamSid");
            return null;
        }

        string? token = null;
        body.CustomParameters?.TryGetValue(Twiml.CallTokenParameter, out token);
        var check = await _tokens.CheckAsync(token, callSid, call.Ending);
        if (!check.IsValid)
        {
            call.End(CallEndReason.PolicyViolation, "call token " + check.Status);
            LogCallTokenRejected(_logger, callSid, check.Status);
            return null;
        }

        // One live call per CallSid: a second stream (a replayed webhook's token) is refused like a bad token and the
        // first call is not touched.
        if (!call.TryClaim(callSid))
        {
            call.End(CallEndReason.PolicyViolation, "call already live");
            LogCallAlreadyLive(_logger, callSid);
            return null;
        }

        StreamSid = body.StreamSid ?? start.StreamSid!;
        _streamSidUtf8 = Encoding.UTF8.GetBytes(StreamSid);
        _writer = new TwilioWriter(StreamSid);
        if (!_policy.PassthroughMulaw)
        {
            _inbound = Resampler.Create(8000, 24000);
            _outbound = Resampler.Create(24000, 8000);
        }

        return new LegStart
        {
            CallId = callSid,
            StreamId = StreamSid,
            Caller = check.Caller,
            SessionUpdate = () => RealtimeEventSerializer.ToMessage(_policy.ToSessionUpdate()),
            Policy = new CallPolicySummary
            {
                Model = _policy.Model,
                AudioFormat = UpstreamAudio,
                TranscriptionModel = _policy.TranscriptionModel,
                TurnDetection = _policy.TurnDetection?.Type ?? "none",
            },
            InboundBytesRatio = _policy.PassthroughMulaw ? 1 : 6,
        };
    }

    private async ValueTask HandleCallerMessageAsync(CallSession call, ReadOnlyMemory<byte> message)
    {
        var received = Stopwatch.GetTimestamp();
        // Decoded μ-law of one message: at most 3/4 of it; rented for the message only (an idle call holds nothing).
        var audio = ArrayPool<byte>.Shared.Rent(Math.Max(1, RealtimeAudioFrames.GetMaxDecodedAudioLength(message.Length)));
        try
        {
            var status = TwilioReader.Read(message.Span, audio, out var frame);
            if (status != TwilioReadStatus.Ok)
            {
                call.Refuse(ToDrop(status), message.Length);
                return;
            }

            if (!frame.StreamSid.IsEmpty && !frame.StreamSid.SequenceEqual(_streamSidUtf8))
            {
                call.Refuse(CallDrop.WrongStreamSid, message.Length);
                return;
            }

            switch (frame.Event)
            {
                case TwilioEvent.Media:
                    if (frame.PayloadLength == 0)
                    {
                        call.Refuse(CallDrop.EmptyPayload, message.Length);
                        return;
                    }

                    await ForwardCallerAudio(call, message.Span, audio.AsSpan(0, frame.PayloadLength), received);
                    return;
                case TwilioEvent.Mark:
                    if (!TryParseMark(frame.Name, out var mark))
                    {
                        call.Refuse(CallDrop.UnknownMark, message.Length);
                        return;
                    }

                    call.Observers.OnCallerMessage(message.Span, binary: false);
                    OnMarkEcho(call, mark);
                    return;
                case TwilioEvent.Dtmf:
                    // The digit becomes text in the prompt: one keypad key only, or a caller could type instructions.
                    if (frame.Name.Length != 1 || !IsKeypadKey(frame.Name[0]))
                    {
                        call.Drop(CallDrop.InvalidDtmf);
                        return;
                    }

                    call.Observers.OnCallerMessage(message.Span, binary: false);
                    await ForwardDigitAsync(call, (char)frame.Name[0]);
                    return;
                case TwilioEvent.Stop:
                    call.Observers.OnCallerMessage(message.Span, binary: false);
                    call.Stop(CallEndReason.CallerHungUp, "stop");
                    return;
                default:
                    call.Refuse(CallDrop.UnexpectedEvent, message.Length);
                    return;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(audio);
        }
    }

    // One caller media message: μ-law decoded once (the observers get the PCM with it), resampled to 24 kHz in 20 ms
    // slices and each slice written upstream on this task. Audio sends never wait (a full upstream queue drops the oldest),
    // so in practice this completes at once.
    private ValueTask<bool> ForwardCallerAudio(CallSession call, ReadOnlySpan<byte> wire, ReadOnlySpan<byte> mulaw, long received)
    {
        if (_inbound is null)
        {
            // Passthrough: the GA API takes Twilio's 8 kHz μ-law as audio/pcmu unchanged
            // (docs/protocols/openai-realtime.md#audio-formats).
            call.Observers.OnCallerAudio(new AudioFrame(wire, mulaw, default, 8000, received));
            return call.SendAudioUpstream(mulaw, default, received);
        }

        var pcm8Buffer = mulaw.Length <= FrameBytes ? null : ArrayPool<short>.Shared.Rent(mulaw.Length);
        Span<short> pcm8 = pcm8Buffer is null ? stackalloc short[FrameBytes] : pcm8Buffer;
        pcm8 = pcm8[..mulaw.Length];
        Span<short> pcm24 = stackalloc short[_inbound.GetMaxOutputLength(FrameBytes)];
        try
        {
            MuLaw.Decode(mulaw, pcm8);
            call.Observers.OnCallerAudio(new AudioFrame(wire, mulaw, pcm8, 8000, received));
            ValueTask<bool> sent = ValueTask.FromResult(true);
            for (var offset = 0; offset < pcm8.Length; offset += FrameBytes)
            {
                if (!sent.IsCompletedSuccessfully)
                {
                    // Never seen with a WebSocket upstream; keeps the order if an upstream ever makes audio wait.
                    return ForwardRestAsync(call, sent, pcm8[offset..].ToArray(), received);
                }

                var produced = _inbound.Process(pcm8.Slice(offset, Math.Min(FrameBytes, pcm8.Length - offset)), pcm24);
                // PCM16 little-endian is the wire format (docs/protocols/openai-realtime.md#audio-formats); this machine is
                // little-endian too.
                sent = call.SendAudioUpstream(MemoryMarshal.AsBytes(pcm24[..produced]), pcm24[..produced], received);
            }

            return sent;
        }
        finally
        {
            if (pcm8Buffer is not null)
            {
                ArrayPool<short>.Shared.Return(pcm8Buffer);
            }
        }
    }

    private async ValueTask<bool> ForwardRestAsync(CallSession call, ValueTask<bool> pending, short[] rest, long received)
    {
        await pending;
        var pcm24 = new short[_inbound!.GetMaxOutputLength(FrameBytes)];
        for (var offset = 0; offset < rest.Length; offset += FrameBytes)
        {
            var produced = _inbound.Process(rest.AsSpan(offset, Math.Min(FrameBytes, rest.Length - offset)), pcm24);
            await call.SendAudioUpstream(MemoryMarshal.AsBytes(pcm24.AsSpan(0, produced)), pcm24.AsSpan(0, produced), received);
        }

        return true;
    }

    private static bool IsKeypadKey(byte key) => key is (>= (byte)'0' and <= (byte)'9') or (byte)'*' or (byte)'#' or (>= (byte)'A' and <= (byte)'D');

    private async ValueTask ForwardDigitAsync(CallSession call, char digit)
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
        await call.SendUpstreamAsync(RealtimeEventSerializer.ToMessage(item));
        bool idle;
        lock (_playbackLock)
        {
            idle = !_playback.IsResponseActive;
        }

        if (idle)
        {
            await call.SendUpstreamAsync(RealtimeEventSerializer.ToMessage(new ResponseCreateEvent()));
        }
    }

    private void OnMarkEcho(CallSession call, long mark)
    {
        MarkEcho echo;
        lock (_playbackLock)
        {
            echo = _playback.OnMarkEchoed(mark);
        }

        call.Observers.OnMarkEchoed(mark, echo.Kind);
        if (echo.Kind == MarkEchoKind.Unknown)
        {
            call.Drop(CallDrop.UnknownMark);
        }
        else if (echo.Kind == MarkEchoKind.Played)
        {
            call.OnPlaybackProgress();
        }
        else if (echo.Kind == MarkEchoKind.Cleared)
        {
            call.Counters.Add(CallDrop.ClearedMark);
        }
    }

    // Returns false when the caller cannot keep up (the call then ends).
    private bool ForwardAssistantAudio(UpstreamAudioDelta delta)
    {
        var call = _call!;
        var itemId = delta.ItemId!;
        lock (_playbackLock)
        {
            if (_playback.IsInterrupted(delta.ResponseId))
            {
                // Audio still streaming for a response the caller talked over: neither played nor forwarded.
                call.Count(CallDrop.InterruptedAudio, delta.Audio.Length);
                return true;
            }
        }

        if (_pendingItemId is not null && !ReferenceEquals(_pendingItemId, itemId) && !string.Equals(_pendingItemId, itemId, StringComparison.Ordinal))
        {
            FlushPendingFrame(delta.ReceivedAt);
        }

        _pendingItemId = itemId;
        if (!(_outbound is null ? QueueMulaw(delta.Audio.Span, default, delta.ReceivedAt) : TranscodeOutbound(delta.Audio.Span, delta.ReceivedAt)))
        {
            return false;
        }

        return SendMark();
    }

    private bool TranscodeOutbound(ReadOnlySpan<byte> pcm24Bytes, long received)
    {
        // An odd trailing byte cannot be a PCM16 sample; real deltas never have one.
        var samples = MemoryMarshal.Cast<byte, short>(pcm24Bytes[..(pcm24Bytes.Length & ~1)]);
        const int SliceSamples = FrameBytes * 3;
        Span<short> pcm8 = stackalloc short[_outbound!.GetMaxOutputLength(SliceSamples)];
        Span<byte> mulaw = stackalloc byte[pcm8.Length];
        for (var offset = 0; offset < samples.Length; offset += SliceSamples)
        {
            var slice = samples.Slice(offset, Math.Min(SliceSamples, samples.Length - offset));
            var produced = _outbound.Process(slice, pcm8);
            MuLaw.Encode(pcm8[..produced], mulaw);
            if (!QueueMulaw(mulaw[..produced], pcm8[..produced], received))
            {
                return false;
            }
        }

        return true;
    }

    // Cuts μ-law into 160-byte media frames (with their PCM, when transcoding); a partial frame waits for the item's next delta.
    private bool QueueMulaw(ReadOnlySpan<byte> mulaw, ReadOnlySpan<short> pcm, long received)
    {
        while (!mulaw.IsEmpty)
        {
            var take = Math.Min(FrameBytes - _pendingFrameLength, mulaw.Length);
            mulaw[..take].CopyTo(_pendingFrame.AsSpan(_pendingFrameLength));
            if (!pcm.IsEmpty)
            {
                pcm[..take].CopyTo(_pendingPcm.AsSpan(_pendingFrameLength));
                pcm = pcm[take..];
            }

            _pendingFrameLength += take;
            mulaw = mulaw[take..];
            if (_pendingFrameLength == FrameBytes && !SendPendingFrame(received))
            {
                return false;
            }
        }

        return true;
    }

    private void FlushPendingFrame(long received)
    {
        if (_pendingFrameLength == 0 || _pendingItemId is null)
        {
            return;
        }

        // The item's last, short frame: sent as is (Twilio plays any payload length), not padded with silence
        // that would count as heard audio.
        if (SendPendingFrame(received))
        {
            SendMark();
        }
    }

    private bool SendPendingFrame(long received)
    {
        var call = _call!;
        var length = _pendingFrameLength;
        _writer!.WriteMedia(_toCallerBuffer, _pendingFrame.AsSpan(0, length));
        var message = _toCallerBuffer.DetachMessage(RealtimeMessageKind.Audio);
        call.Observers.OnCallerAudioSent(new AudioFrame(
            message.Span, _pendingFrame.AsSpan(0, length), _outbound is null ? default : _pendingPcm.AsSpan(0, length), 8000, received));
        call.Counters.AddOutbound(length);
        bool markDue;
        lock (_playbackLock)
        {
            // 8 bytes of μ-law are 1 ms at 8 kHz (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
            markDue = _playback.OnFrameSent(_pendingItemId!, length / 8.0);
        }

        _pendingFrameLength = 0;
        return QueueToCaller(message) && (!markDue || SendMark());
    }

    // Marks the audio sent since the last mark (after each delta, and every Twilio:MarkEveryFrames frames).
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

        var call = _call!;
        call.Observers.OnMarkSent(mark);
        Span<char> name = stackalloc char[24];
        name[0] = 'm';
        mark.TryFormat(name[1..], out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _writer!.WriteMark(_toCallerBuffer, name[..(written + 1)]);
        return SendControl(_toCallerBuffer.DetachMessage(RealtimeMessageKind.Control));
    }

    private async ValueTask BargeInAsync(CancellationToken token)
    {
        var call = _call!;
        BargeInDecision decision;
        lock (_playbackLock)
        {
            decision = _playback.OnSpeechStarted();
        }

        call.Observers.OnBargeIn(decision);
        if (decision.SendClear)
        {
            _pendingFrameLength = 0;
            _writer!.WriteClear(_toCallerBuffer);
            SendControl(_toCallerBuffer.DetachMessage(RealtimeMessageKind.Control));
        }

        if (decision.TruncateItemId is { } itemId)
        {
            var truncate = new ConversationItemTruncateEvent { ItemId = itemId, ContentIndex = 0, AudioEndMs = decision.TruncateAtMs };
            await call.Upstream.SendAsync(RealtimeEventSerializer.ToMessage(truncate), token);
        }

        if (decision.InterruptedResponseId is not null && !_policy.UpstreamInterruptsResponses)
        {
            await call.Upstream.SendAsync(RealtimeEventSerializer.ToMessage(new ResponseCancelEvent()), token);
        }

        if (!decision.IsNoOp)
        {
            call.Counters.Add(CallDrop.BargeIn);
            LogBargeIn(_logger, call.CallId!, decision.TruncateItemId ?? "(none)", decision.TruncateAtMs, decision.SendClear);
        }
    }

    private bool SendControl(RealtimeMessage message)
    {
        _call!.Observers.OnCallerSent(message.Span);
        return QueueToCaller(message);
    }

    private bool QueueToCaller(RealtimeMessage message)
    {
        if (_caller.TrySend(message))
        {
            return true;
        }

        _call!.Stop(CallEndReason.CallerNotReading, "send queue full");
        return false;
    }

    private void OnSendFailed(Exception ex) => _call?.Stop(CallEndReason.CallerClosed, "caller connection lost while sending");

    // Only on the flood path: one more parse of a message that is otherwise dropped unread.
    private static bool IsStop(ReadOnlySpan<byte> json) =>
        TwilioReader.Read(json, default, out var frame) == TwilioReadStatus.Ok && frame.Event == TwilioEvent.Stop;

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
}
