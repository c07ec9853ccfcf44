using System.Net.WebSockets;

namespace VoiceBridge.Realtime.Transport;

/// <summary>
/// Sends text messages on one WebSocket, in order, on the task that hands them over whenever the socket is free. A queue
/// (bounded, one FIFO order across both kinds of message, separate room for each) holds messages only while a send is
/// already in flight; whoever's send completes takes the next one. No task waits for work: a frame handed over while the
/// socket is idle is written before <see cref="SendAsync"/> returns, which on a socket with room in its kernel buffer
/// costs no thread wake-up at all (the old shape, a send loop woken through a channel, cost one per frame).
/// </summary>
/// <remarks>
/// When a write does not complete at once (the peer is slow, the buffer full), the handing task does not wait for it: the
/// write's own continuation sends what queued behind it, and <see cref="SendAsync"/> has already returned. So a slow
/// socket never stalls the loop that reads the other side, and live audio can be dropped (oldest first, counted) rather
/// than delayed. Control messages are never dropped: with <see cref="WebSocketSenderOptions.ControlWaitsForRoom"/> they
/// wait for room, otherwise a full queue refuses them (the owner then ends the call: its peer is not reading).
/// The write is never cancelled (cancelling a WebSocket send aborts the socket); a stuck write ends when the owner closes
/// or aborts the socket.
/// </remarks>
public sealed class WebSocketSender
{
    private readonly WebSocket _socket;
    private readonly WebSocketSenderOptions _options;
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _audio;
    private readonly Queue<Entry> _control;
    private readonly Action<ReadOnlySpan<byte>>? _onSending;
    private readonly Action<Exception>? _onFailed;

    private TaskCompletionSource? _controlRoom;
    private TaskCompletionSource? _drained;
    private long _nextSequence;
    private long _droppedAudio;
    private long _sent;
    private long _asyncWrites;
    private bool _busy;
    private bool _completed;
    private bool _failed;

    /// <param name="socket">The socket; this sender is its only writer of data frames.</param>
    /// <param name="options">Queue room and what a full queue does.</param>
    /// <param name="onSending">Sees each message just before it is written, in the order written (the audit's tap).</param>
    /// <param name="onFailed">Called once when a write fails (the connection is broken); queued messages are then released.</param>
    public WebSocketSender(WebSocket socket, WebSocketSenderOptions options, Action<ReadOnlySpan<byte>>? onSending = null, Action<Exception>? onFailed = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        _socket = socket;
        _options = options;
        _onSending = onSending;
        _onFailed = onFailed;
        _audio = new Queue<Entry>();
        _control = new Queue<Entry>();
    }

    /// <summary>Audio messages dropped (oldest first) because the queue was full.</summary>
    public long DroppedAudioMessages => Interlocked.Read(ref _droppedAudio);

    /// <summary>Messages written to the socket.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Writes that did not complete at once (the socket had no room): each cost a continuation on another thread.</summary>
    public long AsyncWrites => Interlocked.Read(ref _asyncWrites);

    /// <summary>Messages waiting behind a write in flight.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _audio.Count + _control.Count;
            }
        }
    }

    /// <summary>
    /// Hands a message over and takes ownership of it: written now when the socket is free, queued while a write is in
    /// flight. False (the message released) once the sender is completed or failed, or when the queue is full and the
    /// options say to refuse. Completes synchronously except when a control message waits for room.
    /// </summary>
    public ValueTask<bool> SendAsync(RealtimeMessage message, CancellationToken cancellationToken = default)
    {
        Task room;
        lock (_gate)
        {
            if (_completed)
            {
                message.Dispose();
                return ValueTask.FromResult(false);
            }

            if (!_busy)
            {
                _busy = true;
            }
            else if (message.Kind == RealtimeMessageKind.Audio)
            {
                return ValueTask.FromResult(QueueAudio(message));
            }
            else if (_control.Count < _options.Capacity)
            {
                _control.Enqueue(new Entry(_nextSequence++, message));
                return ValueTask.FromResult(true);
            }
            else if (!_options.ControlWaitsForRoom)
            {
                message.Dispose();
                return ValueTask.FromResult(false);
            }
            else
            {
                room = (_controlRoom ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                goto Wait;
            }
        }

        return ValueTask.FromResult(Write(message));

    Wait:
        return WaitForRoomAsync(message, room, cancellationToken);
    }

    /// <summary>No new messages from now on; what is queued is still written (see <see cref="WhenDrainedAsync"/>).</summary>
    public void Complete()
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _completed = true;
            room = _controlRoom;
            _controlRoom = null;
        }

        room?.TrySetResult();
    }

    /// <summary>Completes once <see cref="Complete"/> was called and nothing is queued or being written.</summary>
    public Task WhenDrainedAsync()
    {
        lock (_gate)
        {
            if (_completed && !_busy)
            {
                return Task.CompletedTask;
            }

            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>Completes the sender and releases every queued message (a write in flight finishes on its own).</summary>
    public void DiscardQueued()
    {
        Complete();
        List<RealtimeMessage>? discarded = null;
        lock (_gate)
        {
            while (_audio.TryDequeue(out var entry))
            {
                (discarded ??= []).Add(entry.Message);
            }

            while (_control.TryDequeue(out var entry))
            {
                (discarded ??= []).Add(entry.Message);
            }
        }

        discarded?.ForEach(static message => message.Dispose());
    }

    private async ValueTask<bool> WaitForRoomAsync(RealtimeMessage message, Task room, CancellationToken cancellationToken)
    {
        try
        {
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            message.Dispose();
            throw;
        }

        return await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    // Called with the gate held and a write in flight.
    private bool QueueAudio(RealtimeMessage message)
    {
        if (_audio.Count < _options.Capacity)
        {
            _audio.Enqueue(new Entry(_nextSequence++, message));
            return true;
        }

        if (!_options.DropOldestAudio)
        {
            message.Dispose();
            return false;
        }

        _audio.Dequeue().Message.Dispose();
        _droppedAudio++;
        _audio.Enqueue(new Entry(_nextSequence++, message));
        return true;
    }

    // This task owns the socket (busy was set for it): writes the message, then whatever queued meanwhile, for as long as
    // each write completes at once. The first write that does not hands the rest to its continuation.
    private bool Write(RealtimeMessage message)
    {
        while (true)
        {
            ValueTask write;
            try
            {
                _onSending?.Invoke(message.Span);
                write = _socket.SendAsync(message.Memory, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                message.Dispose();
                Fail(ex);
                return false;
            }

            if (!write.IsCompleted)
            {
                Interlocked.Increment(ref _asyncWrites);
                _ = FinishAsync(write, message);
                return true;
            }

            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (IsConnectionFailure(ex))
            {
                Fail(ex);
                return false;
            }
            finally
            {
                message.Dispose();
            }

            Interlocked.Increment(ref _sent);
            if (!TryTakeNext(out message))
            {
                return true;
            }
        }
    }

    private async Task FinishAsync(ValueTask write, RealtimeMessage message)
    {
        try
        {
            await write.ConfigureAwait(false);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            Fail(ex);
            return;
        }
        finally
        {
            message.Dispose();
        }

        if (TryTakeNext(out var next))
        {
            Write(next);
        }
    }

    // The oldest queued message of either kind; when none, the socket is free again.
    private bool TryTakeNext(out RealtimeMessage message)
    {
        TaskCompletionSource? room = null;
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            var audio = _audio.TryPeek(out var nextAudio);
            var control = _control.TryPeek(out var nextControl);
            if (control && (!audio || nextControl.Sequence < nextAudio.Sequence))
            {
                message = _control.Dequeue().Message;
                room = _controlRoom;
                _controlRoom = null;
            }
            else if (audio)
            {
                message = _audio.Dequeue().Message;
            }
            else
            {
                message = default;
                _busy = false;
                if (_completed)
                {
                    drained = _drained;
                    _drained = null;
                }
            }
        }

        room?.TrySetResult();
        drained?.TrySetResult();
        return !message.IsEmpty;
    }

    private void Fail(Exception ex)
    {
        lock (_gate)
        {
            if (_failed)
            {
                return;
            }

            _failed = true;
        }

        DiscardQueued();
        TaskCompletionSource? drained;
        lock (_gate)
        {
            _busy = false;
            drained = _drained;
            _drained = null;
        }

        drained?.TrySetResult();
        _onFailed?.Invoke(ex);
    }

    /// <summary>True once a write failed: the connection is broken.</summary>
    public bool HasFailed
    {
        get
        {
            lock (_gate)
            {
                return _failed;
            }
        }
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;

    private readonly record struct Entry(long Sequence, RealtimeMessage Message);
}
