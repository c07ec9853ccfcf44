using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using VoiceBridge.Audio;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// One phone call as Twilio places it (Twilio voice webhook and Media Streams, docs/protocols/twilio-media-streams.md):
/// a signed voice webhook, the TwiML's <c>&lt;Connect&gt;&lt;Stream&gt;</c> opened with a signed upgrade,
/// <c>connected</c> and <c>start</c>, the caller's audio as 20 ms <c>media</c> frames in real time, then <c>stop</c>.
/// Replies are played like Twilio does: queued, drained at 8 kHz real time, marks echoed once the audio before them has
/// played, <c>clear</c> drops the queue and echoes pending marks at once. Single use; many run side by side in one
/// process (the load tool), sharing one <see cref="HttpClient"/>. The frame loops allocate nothing per frame.
/// </summary>
public sealed class FakeTwilioCall : IDisposable
{
    /// <summary>20 ms at 8 kHz μ-law: the frame Twilio sends
    /// (docs/protocols/twilio-media-streams.md#frames-timing-and-closing).</summary>
    public const int FrameBytes = 160;

    private static readonly TimeSpan s_framePeriod = TimeSpan.FromMilliseconds(20);
    private static readonly byte[] s_silence = CreateSilence();

    private readonly FakeTwilioCallOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _callSid;
    private readonly string _streamSid;
    private readonly PlayoutQueue _queue = new();
    private readonly Lock _queueLock = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _serverEnded = new();

    // Scratch used only under the send lock.
    private readonly byte[] _scratchFrame = new byte[FrameBytes];
    private readonly byte[] _markName = new byte[256];
    private TwilioStreamWriter? _writer;
    private ClientWebSocket? _socket;
    private byte[]? _heard;

    // Every media payload in arrival order (with RecordHeard); written only by the receive loop.
    private byte[]? _received;
    private int _receivedLength;
    private long _streamStart;
    private long _framesSent;
    private long _mediaReceived;
    private long _bytesReceived;
    private long _marksReceived;
    private long _marksEchoed;
    private long _clears;
    private long _bytesCleared;
    private long _unknown;
    private TimeSpan? _firstMediaAt;
    private long _playoutStarts;
    private long _waitingSince = -1;
    private bool _playing;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;
    private bool _connectionLost;
    private int _started;

    public FakeTwilioCall(FakeTwilioCallOptions options, HttpClient http, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _options = options;
        _http = http;
        _time = timeProvider ?? TimeProvider.System;
        _callSid = options.CallSid ?? NewSid("CA");
        _streamSid = NewSid("MZ");
    }

    public string CallSid => _callSid;

    /// <summary>Places the call and returns when it has ended; expected failures are outcomes, not exceptions.</summary>
    public async Task<FakeTwilioCallResult> RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A FakeTwilioCall runs once.");
        }

        var began = _time.GetTimestamp();
        try
        {
            var answer = await PostWebhookAsync(cancellationToken);
            if (answer.Failure is { } failure)
            {
                return failure with { Duration = _time.GetElapsedTime(began) };
            }

            var result = await StreamAsync(answer.Stream!, cancellationToken);
            return result with { Duration = _time.GetElapsedTime(began) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Result(FakeTwilioCallOutcome.Cancelled, "cancelled") with { Duration = _time.GetElapsedTime(began) };
        }
        finally
        {
            _socket?.Dispose();
        }
    }

    /// <summary>Releases the socket and buffers; call after <see cref="RunAsync"/> has returned.</summary>
    public void Dispose()
    {
        _socket?.Dispose();
        _writer?.Dispose();
        lock (_queueLock)
        {
            _queue.Dispose();
        }

        _serverEnded.Dispose();
        _sendLock.Dispose();
    }

    private static Uri VoiceUrl(Uri server) => new(server.AbsoluteUri.TrimEnd('/') + "/twilio/voice");

    private async Task<WebhookAnswer> PostWebhookAsync(CancellationToken cancellationToken)
    {
        var url = VoiceUrl(_options.ServerUrl);
        // The fields Twilio sends on every inbound voice request
        // (docs/protocols/twilio-media-streams.md#voice-webhook), Caller/Called included.
        List<KeyValuePair<string, string>> form =
        [
            new("AccountSid", _options.AccountSid),
            new("ApiVersion", "2010-04-01"),
            new("CallSid", _callSid),
            new("CallStatus", "ringing"),
            new("Called", _options.To),
            new("Caller", _options.From),
            new("Direction", "inbound"),
            new("From", _options.From),
            new("To", _options.To),
        ];
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) };
        if (_options.AuthToken is { } token)
        {
            request.Headers.Add("X-Twilio-Signature", TwilioRequestSigner.Sign(token, url.AbsoluteUri, form));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        string body;
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return new WebhookAnswer(null, Result(FakeTwilioCallOutcome.WebhookRejected,
                    $"webhook {url} answered {(int)response.StatusCode} {response.ReasonPhrase}") with { HttpStatus = (int)response.StatusCode });
            }

            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new WebhookAnswer(null, Result(FakeTwilioCallOutcome.WebhookFailed, $"webhook {url} failed: {ex.Message}"));
        }

        var stream = TwimlStream.TryParse(body, out var error, out var refusal);
        if (stream is not null)
        {
            return new WebhookAnswer(stream, null);
        }

        return refusal is not null
            ? new WebhookAnswer(null, Result(FakeTwilioCallOutcome.Busy, refusal))
            : new WebhookAnswer(null, Result(FakeTwilioCallOutcome.InvalidTwiml, error));
    }

    private async Task<FakeTwilioCallResult> StreamAsync(TwimlStream stream, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(stream.Url, UriKind.Absolute, out var streamUri) || streamUri.Scheme is not ("ws" or "wss"))
        {
            return Result(FakeTwilioCallOutcome.InvalidTwiml, $"the stream url '{stream.Url}' is not an absolute ws(s) URL");
        }

        _socket = new ClientWebSocket();
        _socket.Options.CollectHttpResponseDetails = true;
        var signature = _options.StreamSignatureOverride
            ?? (_options.AuthToken is { } token ? TwilioRequestSigner.Sign(token, stream.Url, []) : null);
        if (signature is not null)
        {
            // Twilio signs the <Stream url> exactly as written in the TwiML, with no parameters
            // (docs/protocols/twilio-media-streams.md#signing-the-media-streams-handshake).
            _socket.Options.SetRequestHeader("X-Twilio-Signature", signature);
        }

        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_options.RequestTimeout);
            try
            {
                await _socket.ConnectAsync(ConnectUri(streamUri), timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var status = (int)_socket.HttpStatusCode;
                return Result(FakeTwilioCallOutcome.StreamRefused,
                    $"stream {stream.Url} refused the upgrade" + (status > 0 ? $" with {status}" : $": {ex.Message}")) with { HttpStatus = status > 0 ? status : null };
            }
        }

        _writer = new TwilioStreamWriter(_streamSid);
        var audioFrames = (_options.CallerAudio.Length + FrameBytes - 1) / FrameBytes;
        var totalFrames = audioFrames + (long)Math.Ceiling(_options.Tail / s_framePeriod);
        if (_options.RecordHeard)
        {
            _heard = new byte[totalFrames * FrameBytes];
            _received = new byte[_heard.Length];
        }

        var receive = Task.CompletedTask;
        var hungUp = false;
        try
        {
            _writer.WriteConnected();
            await SendAsync(cancellationToken);
            _writer.WriteStart(_options.AccountSid, _callSid, stream.Parameters);
            await SendAsync(cancellationToken);
            if (_options.Observer is { } started)
            {
                await started.AfterStartAsync(cancellationToken);
            }

            _streamStart = _time.GetTimestamp();
            receive = ReceiveLoopAsync();
            using var frames = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _serverEnded.Token);
            hungUp = await SendFramesAsync(totalFrames, frames.Token);
            if (hungUp && _options.Observer is { } hangingUp)
            {
                await hangingUp.BeforeHangUpAsync(cancellationToken);
            }

            if (hungUp)
            {
                await HangUpAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The bridge closed the stream while we were sending.
        }
        catch (WebSocketException)
        {
            _connectionLost = true;
        }
        finally
        {
            await FinishReceiveAsync(receive);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (hungUp && !_connectionLost)
        {
            return Result(FakeTwilioCallOutcome.Completed, "completed");
        }

        return _closeStatus switch
        {
            // A normal close before our stop is the bridge hanging up; its description says why.
            WebSocketCloseStatus.NormalClosure => Result(FakeTwilioCallOutcome.EndedByBridge, string.IsNullOrEmpty(_closeDescription) ? "call ended" : _closeDescription),
            { } closed => Result(FakeTwilioCallOutcome.ClosedByServer, $"the bridge closed the stream: {(int)closed} {closed} {_closeDescription}".TrimEnd()),
            null => Result(FakeTwilioCallOutcome.ConnectionLost, "the connection to the bridge was lost"),
        };
    }

    private Uri ConnectUri(Uri streamUri) =>
        _options.PlainWebSocketOnLoopback && streamUri.Scheme == "wss" && streamUri.IsLoopback
            ? new UriBuilder(streamUri) { Scheme = "ws" }.Uri
            : streamUri;

    // Frames are scheduled by absolute stream time: each timer tick sends every frame that is due by now, so a late
    // tick is caught up at once and the timer's own drift never accumulates. Returns false when the bridge ended.
    private async Task<bool> SendFramesAsync(long totalFrames, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_framePeriod, _time);
        long next = 0;
        while (true)
        {
            var due = Math.Min(totalFrames, (_time.GetElapsedTime(_streamStart).Ticks / s_framePeriod.Ticks) + 1);
            for (; next < due; next++)
            {
                if (_serverEnded.IsCancellationRequested)
                {
                    return false;
                }

                await SendFrameAsync(next, cancellationToken);
            }

            if (next >= totalFrames)
            {
                return !_serverEnded.IsCancellationRequested;
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async ValueTask SendFrameAsync(long frame, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            // Marks whose audio finished in an earlier period go back first, then this period plays.
            await EchoReachedMarksAsync(cancellationToken);
            WriteFrame(frame);
            _options.Observer?.OnMediaSending(frame);
            await _socket!.SendAsync(_writer!.Message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            _framesSent++;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    // Plays one period of the queue into the heard recording and writes the caller's frame for the same period.
    private void WriteFrame(long frame)
    {
        var heard = _heard is null ? _scratchFrame.AsSpan() : _heard.AsSpan((int)(frame * FrameBytes), FrameBytes);
        lock (_queueLock)
        {
            if (ShouldPlay(frame))
            {
                // Running dry inside a period ends the talk spurt; the next audio waits the playout delay again.
                _playing &= _queue.Play(heard) == FrameBytes;
            }
            else
            {
                heard.Fill(MuLaw.Silence);
            }
        }

        var offset = frame * FrameBytes;
        var audio = _options.CallerAudio.Span;
        ReadOnlySpan<byte> payload;
        if (offset + FrameBytes <= audio.Length)
        {
            payload = audio.Slice((int)offset, FrameBytes);
        }
        else if (offset < audio.Length)
        {
            // The last, partial frame of the caller's audio is padded with silence to a whole 20 ms.
            audio[(int)offset..].CopyTo(_scratchFrame);
            _scratchFrame.AsSpan(audio.Length - (int)offset).Fill(MuLaw.Silence);
            payload = _scratchFrame;
        }
        else
        {
            payload = s_silence;
        }

        _writer!.WriteMedia(frame + 1, frame * 20, payload);
    }

    // Under the queue lock. Playing continues while audio lasts; from an empty queue it starts once the first audio
    // has waited the playout delay.
    private bool ShouldPlay(long frame)
    {
        if (_queue.QueuedBytes == 0)
        {
            _playing = false;
            _waitingSince = -1;
            return true; // nothing to play: silence (and marks with nothing before them come back)
        }

        if (_playing)
        {
            return true;
        }

        if (_waitingSince < 0)
        {
            _waitingSince = frame;
        }

        if ((frame - _waitingSince) * s_framePeriod.Ticks < _options.PlayoutDelay.Ticks)
        {
            return false;
        }

        _waitingSince = -1;
        _playing = true;
        _playoutStarts++;
        return true;
    }

    // Caller holds the send lock.
    private async ValueTask EchoReachedMarksAsync(CancellationToken cancellationToken)
    {
        while (TryWriteReachedMark())
        {
            await _socket!.SendAsync(_writer!.Message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            _marksEchoed++;
        }
    }

    private bool TryWriteReachedMark()
    {
        int length;
        lock (_queueLock)
        {
            if (!_queue.TryTakeReachedMark(_markName, out length))
            {
                return false;
            }
        }

        _writer!.WriteMark(_markName.AsSpan(0, length));
        return true;
    }

    private async Task HangUpAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await EchoReachedMarksAsync(cancellationToken);
            _writer!.WriteStop(_options.AccountSid, _callSid);
            await _socket!.SendAsync(_writer.Message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            // Twilio sends stop, then closes the socket
            // (docs/protocols/twilio-media-streams.md#frames-timing-and-closing); the receive loop reads the bridge's
            // close.
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task FinishReceiveAsync(Task receive)
    {
        if (_socket!.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            // Ending without a hang-up (cancelled, or answering the bridge's close): our half of the closing handshake.
            try
            {
                using var closing = new CancellationTokenSource(_options.RequestTimeout, _time);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", closing.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }

        try
        {
            await receive.WaitAsync(_options.RequestTimeout, _time);
        }
        catch (TimeoutException)
        {
            _socket.Abort();
            await receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var socket = _socket!;
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var audio = ArrayPool<byte>.Shared.Rent(48 * 1024);
        var name = ArrayPool<byte>.Shared.Rent(256);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    // A message bigger than the buffer: grow (payloads have no documented maximum,
                    // docs/protocols/twilio-media-streams.md#frames-timing-and-closing).
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    _closeStatus = socket.CloseStatus;
                    _closeDescription = socket.CloseStatusDescription;
                    await _serverEnded.CancelAsync();
                    return;
                }

                length += read.Count;
                if (!read.EndOfMessage)
                {
                    continue;
                }

                if (read.MessageType == WebSocketMessageType.Text)
                {
                    if (audio.Length < length)
                    {
                        ArrayPool<byte>.Shared.Return(audio);
                        audio = ArrayPool<byte>.Shared.Rent(length);
                    }

                    await OnMessageAsync(buffer.AsSpan(0, length), audio, name);
                }
                else
                {
                    _unknown++;
                }

                length = 0;
            }
        }
        catch (WebSocketException)
        {
            _connectionLost = true;
            await _serverEnded.CancelAsync();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(audio);
            ArrayPool<byte>.Shared.Return(name);
        }
    }

    private ValueTask OnMessageAsync(ReadOnlySpan<byte> json, byte[] audio, byte[] name)
    {
        var kind = TwilioStreamReader.Read(json, audio, name, out var audioLength, out var nameLength);
        switch (kind)
        {
            case TwilioBridgeMessage.Media:
                _firstMediaAt ??= _time.GetElapsedTime(_streamStart);
                lock (_queueLock)
                {
                    _queue.Append(audio.AsSpan(0, audioLength));
                }

                RecordReceived(audio.AsSpan(0, audioLength));
                _mediaReceived++;
                _bytesReceived += audioLength;
                _options.Observer?.OnMediaReceived(audioLength);
                return ValueTask.CompletedTask;
            case TwilioBridgeMessage.Mark:
                lock (_queueLock)
                {
                    _queue.AddMark(name.AsSpan(0, nameLength));
                }

                _marksReceived++;
                _options.Observer?.OnMarkReceived();
                return ValueTask.CompletedTask;
            case TwilioBridgeMessage.Clear:
                _clears++;
                _options.Observer?.OnClearReceived();
                lock (_queueLock)
                {
                    _bytesCleared += _queue.Clear();
                }

                // Twilio returns every pending mark as soon as it clears
                // (docs/protocols/twilio-media-streams.md#messages-to-twilio).
                return EchoClearedMarksAsync();
            default:
                _unknown++;
                return ValueTask.CompletedTask;
        }
    }

    private void RecordReceived(ReadOnlySpan<byte> payload)
    {
        if (_received is null)
        {
            return;
        }

        if (_receivedLength + payload.Length > _received.Length)
        {
            // A bridge may send more than the call's length of audio (replies arrive faster than they play): doubling
            // keeps the growth off the per-frame path.
            Array.Resize(ref _received, Math.Max(_received.Length * 2, _receivedLength + payload.Length));
        }

        payload.CopyTo(_received.AsSpan(_receivedLength));
        _receivedLength += payload.Length;
    }

    private async ValueTask EchoClearedMarksAsync()
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket!.State == WebSocketState.Open)
            {
                await EchoReachedMarksAsync(CancellationToken.None);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private ValueTask SendAsync(CancellationToken cancellationToken) =>
        _socket!.SendAsync(_writer!.Message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private FakeTwilioCallResult Result(FakeTwilioCallOutcome outcome, string detail) => new()
    {
        Outcome = outcome,
        Detail = detail,
        CallSid = _callSid,
        StreamSid = _writer is null ? null : _streamSid,
        CloseStatus = _closeStatus,
        CloseDescription = _closeDescription,
        FramesSent = _framesSent,
        MediaReceived = _mediaReceived,
        BytesReceived = _bytesReceived,
        MarksReceived = _marksReceived,
        MarksEchoed = _marksEchoed,
        Clears = _clears,
        BytesCleared = _bytesCleared,
        UnknownMessages = _unknown,
        FirstMediaAt = _firstMediaAt,
        PlayoutStarts = _playoutStarts,
        Heard = _heard is null ? ReadOnlyMemory<byte>.Empty : _heard.AsMemory(0, (int)Math.Min(_heard.Length, _framesSent * FrameBytes)),
        Received = _received is null ? ReadOnlyMemory<byte>.Empty : _received.AsMemory(0, _receivedLength),
    };

    private static string NewSid(string prefix) => prefix + RandomNumberGenerator.GetHexString(32, lowercase: true);

    private static byte[] CreateSilence()
    {
        var silence = new byte[FrameBytes];
        silence.AsSpan().Fill(MuLaw.Silence);
        return silence;
    }

    private sealed record WebhookAnswer(TwimlStream? Stream, FakeTwilioCallResult? Failure);
}
