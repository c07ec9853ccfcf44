using System.Runtime.CompilerServices;
using System.Threading.Channels;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// The bounded queue between the session and a socket's send loop: one FIFO order across both kinds, but
/// separate room for each. Audio never waits: when its room is full the oldest queued audio is dropped,
/// disposed and counted. Control waits for room and is never dropped. One order matters: an
/// <c>input_audio_buffer.commit</c> must go out after the audio it commits.
/// </summary>
/// <remarks>
/// Two queues stamped from one sequence number give drop-oldest-audio in O(1) while the reader still sends in
/// arrival order. The single reader is woken through a one-slot channel awaited without a token, so its
/// wait object is reused and a frame costs no allocation; the reader is stopped by <see cref="Complete"/>.
/// </remarks>
internal sealed class RealtimeSendQueue
{
    private readonly Lock _gate = new();
    private readonly Queue<Entry> _audio;
    private readonly Queue<Entry> _control;
    private readonly int _capacity;
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private TaskCompletionSource? _controlRoom;
    private long _nextSequence;
    private long _droppedAudio;
    private bool _completed;

    public RealtimeSendQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _audio = new Queue<Entry>(capacity);
        _control = new Queue<Entry>(Math.Min(capacity, 16));
    }

    public long DroppedAudioMessages => Interlocked.Read(ref _droppedAudio);

    /// <summary>
    /// Queues and takes ownership. False (and the message disposed) once the queue is completed. A cancelled
    /// wait for control room disposes the message and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public ValueTask<bool> EnqueueAsync(RealtimeMessage message, CancellationToken cancellationToken) =>
        message.Kind == RealtimeMessageKind.Audio
            ? ValueTask.FromResult(EnqueueAudio(message))
            : EnqueueControlAsync(message, cancellationToken);

    /// <summary>Takes the oldest queued message of either kind.</summary>
    public bool TryDequeue(out RealtimeMessage message)
    {
        TaskCompletionSource? room = null;
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
                return false;
            }
        }

        room?.TrySetResult();
        return true;
    }

    /// <summary>True when a message is ready; false when the queue is completed and empty.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WaitToReadAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_audio.Count + _control.Count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }
            }

            await _doorbell.Reader.WaitToReadAsync();
            _doorbell.Reader.TryRead(out _);
        }
    }

    /// <summary>Refuses new messages; the reader still drains what is queued.</summary>
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
        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>Completes the queue and returns every queued buffer to the pool.</summary>
    public void DisposeQueued()
    {
        Complete();
        lock (_gate)
        {
            while (_audio.TryDequeue(out var entry))
            {
                entry.Message.Dispose();
            }

            while (_control.TryDequeue(out var entry))
            {
                entry.Message.Dispose();
            }
        }
    }

    private bool EnqueueAudio(RealtimeMessage message)
    {
        RealtimeMessage dropped;
        lock (_gate)
        {
            if (_completed)
            {
                dropped = message;
            }
            else
            {
                dropped = _audio.Count == _capacity ? _audio.Dequeue().Message : default;
                if (!dropped.IsEmpty)
                {
                    _droppedAudio++;
                }

                _audio.Enqueue(new Entry(_nextSequence++, message));
                message = default;
            }
        }

        dropped.Dispose();
        if (message.IsEmpty)
        {
            _doorbell.Writer.TryWrite(true);
            return true;
        }

        return false;
    }

    private async ValueTask<bool> EnqueueControlAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                TaskCompletionSource room;
                lock (_gate)
                {
                    if (_completed)
                    {
                        break;
                    }

                    if (_control.Count < _capacity)
                    {
                        _control.Enqueue(new Entry(_nextSequence++, message));
                        message = default;
                        _doorbell.Writer.TryWrite(true);
                        return true;
                    }

                    room = _controlRoom ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                await room.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            // Still ours when refused or cancelled; default (no buffer) once queued.
            message.Dispose();
        }

        return false;
    }

    private readonly record struct Entry(long Sequence, RealtimeMessage Message);
}
