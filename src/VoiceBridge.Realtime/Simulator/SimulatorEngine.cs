using System.Buffers;
using System.Globalization;
using System.Threading.Channels;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

/// <summary>
/// One simulated Realtime session, transport-agnostic: client event frames go in through
/// <see cref="SubmitAsync"/>, server event frames come out of <see cref="ReceiveAsync"/>. A single loop owns all
/// state; wake-ups for paced audio, scripted delays and closes come from the injected <see cref="TimeProvider"/>.
/// Audio timing (audio_start_ms, audio_end_ms, item durations) follows the bytes received, not the clock.
/// Hosted in-process by <see cref="SimulatorConnector"/> and over a WebSocket by <c>voicebridge simulator</c>.
/// </summary>
public sealed partial class SimulatorEngine : ISimulatorSession
{
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<RealtimeMessage> _input;
    private readonly Channel<RealtimeMessage> _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _timer;
    private readonly DateTimeOffset _startedAt;
    private readonly DateTimeOffset? _closeAt;
    private readonly Task _loop;
    private UpstreamEnd? _end;
    private long _droppedAudio;
    private long _eventCounter;
    private int _idCounter;

    private SimulatorEngine(SimulatorOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _time = timeProvider;
        _startedAt = timeProvider.GetUtcNow();
        var capacity = Math.Max(16, options.QueueCapacity);
        _input = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _output = Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(capacity) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        _session = new SimulatorSessionConfig { Id = "sess_sim" + NextId(), Model = options.Model };
        _vad = NewVad();
        _timer = timeProvider.CreateTimer(static state => ((SimulatorEngine)state!).Wake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (options.Close?.AfterMs is { } afterMs)
        {
            _closeAt = _startedAt.AddMilliseconds(afterMs);
        }

        _loop = Task.Run(RunAsync);
    }

    /// <summary>Audio frames dropped because the engine's input queue was full.</summary>
    public long DroppedAudioMessages => Interlocked.Read(ref _droppedAudio);

    /// <summary>Starts a session; session.created is the first frame <see cref="ReceiveAsync"/> returns.</summary>
    public static SimulatorEngine Start(SimulatorOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return new SimulatorEngine(options, timeProvider);
    }

    /// <summary>
    /// Hands a client event frame to the engine (ownership moves). Audio frames are dropped and counted when the
    /// queue is full (the engine only computes energy, so a full queue means it is stalled); control frames wait.
    /// False once the session has ended.
    /// </summary>
    public async ValueTask<bool> SubmitAsync(RealtimeMessage message, CancellationToken cancellationToken)
    {
        if (_end is not null)
        {
            message.Dispose();
            return false;
        }

        if (_input.Writer.TryWrite(message))
        {
            return true;
        }

        if (message.Kind == RealtimeMessageKind.Audio && _end is null)
        {
            message.Dispose();
            Interlocked.Increment(ref _droppedAudio);
            return true;
        }

        try
        {
            await _input.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            message.Dispose();
            return false;
        }
        catch (OperationCanceledException)
        {
            message.Dispose();
            throw;
        }
    }

    /// <summary>The next server event (owned by the caller), or the end of the session. Ends are sticky.</summary>
    public async ValueTask<RealtimeReceiveResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (_output.Reader.TryRead(out var message))
                {
                    return RealtimeReceiveResult.Received(message);
                }

                if (!await _output.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return RealtimeReceiveResult.Ended(_end ?? new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "simulator session ended"));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Like a WebSocket receive, a cancelled receive ends the session.
            Stop(new UpstreamEnd(UpstreamEndReason.Cancelled, "receive cancelled"));
            return RealtimeReceiveResult.Ended(_end!);
        }
    }

    /// <summary>Ends the session from the client side (idempotent); later receives return this end.</summary>
    public async ValueTask CloseAsync(UpstreamEnd ending)
    {
        Stop(ending);
        await _loop.ConfigureAwait(false);
        Drain(_output.Reader);
    }

    public ValueTask DisposeAsync() => CloseAsync(new UpstreamEnd(UpstreamEndReason.ClosedByUs, "closed by the client"));

    private void Stop(UpstreamEnd end)
    {
        Interlocked.CompareExchange(ref _end, end, null);
        _input.Writer.TryComplete();
        _output.Writer.TryComplete();
        _stop.Cancel();
        _timer.Dispose();
    }

    private void Wake() => _input.Writer.TryWrite(default);

    private async Task RunAsync()
    {
        try
        {
            await EmitAsync(new SessionCreatedEvent { Session = _session.ToWire() }).ConfigureAwait(false);
            await PumpAsync().ConfigureAwait(false);
            var reader = _input.Reader;
            while (_end is null && await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (_end is null && reader.TryRead(out var message))
                {
                    using (message)
                    {
                        if (!message.IsEmpty)
                        {
                            await HandleAsync(message).ConfigureAwait(false);
                        }
                    }

                    await PumpAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
#pragma warning disable CA1031 // The engine is a peer: a bug in it ends the session with 1011 like a server error, it must not crash the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Stop(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "simulator internal error: " + ex.GetType().Name, CloseStatus: 1011));
        }
        finally
        {
            Drain(_input.Reader);
            ReturnScratch();
        }
    }

    /// <summary>Releases what is due now (scripted close, delayed response, paced audio) and arms the timer for the next.</summary>
    private async ValueTask PumpAsync()
    {
        var now = _time.GetUtcNow();
        if (_closeAt is { } closeAt && closeAt <= now)
        {
            ScriptedClose();
            return;
        }

        if (_pendingAt is { } pendingAt && pendingAt <= now)
        {
            _pendingAt = null;
            await StartResponseAsync().ConfigureAwait(false);

            // The response's first chunk is due at its start, which was read after `now`.
            now = _time.GetUtcNow();
        }

        if (_active is not null)
        {
            await StreamDueAudioAsync(now).ConfigureAwait(false);
        }

        var next = Min(_closeAt, _pendingAt, _active is null ? null : NextChunkDue(_active));
        if (_end is null)
        {
            Arm(next);
        }
    }

    private void Arm(DateTimeOffset? due)
    {
        if (due is not { } at)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        // Measured from a fresh read, not the pump's `now`: the pump may have waited on a full output queue since.
        _timer.Change(Max(at - _time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan);

        // The clock can pass `at` between that read and Change (another thread advancing a FakeTimeProvider); the
        // timer would then fire one whole delay late. Waking now costs one pump and cannot repeat: the next pump
        // reads a clock at or past `at` and releases what is due.
        if (at <= _time.GetUtcNow())
        {
            Wake();
        }
    }

    private void ScriptedClose()
    {
        var close = _options.Close ?? new SimulatorClose();
        Interlocked.CompareExchange(ref _end, new UpstreamEnd(UpstreamEndReason.ClosedByPeer, close.Description, CloseStatus: close.Status), null);
        _input.Writer.TryComplete();
        _output.Writer.TryComplete();
        _timer.Dispose();
    }

    private async ValueTask EmitAsync(RealtimeEvent value)
    {
        var message = RealtimeEventSerializer.ToMessage(value with { EventId = NextEventId() });
        await WriteAsync(message).ConfigureAwait(false);
    }

    private async ValueTask WriteAsync(RealtimeMessage message)
    {
        try
        {
            await _output.Writer.WriteAsync(message, _stop.Token).ConfigureAwait(false);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private ValueTask ErrorAsync(string code, string message, string? param, string? clientEventId, string type = RealtimeErrorDetail.InvalidRequestError) =>
        EmitAsync(new ErrorEvent
        {
            Error = new RealtimeErrorDetail { Type = type, Code = code, Message = message, Param = param, EventId = clientEventId },
        });

    private string NextEventId() => "event_" + (++_eventCounter).ToString("D4", CultureInfo.InvariantCulture);

    // The same as NextEventId, formatted into a span so per-chunk audio frames allocate no string.
    private int NextEventId(Span<char> destination)
    {
        "event_".CopyTo(destination);
        (++_eventCounter).TryFormat(destination[6..], out var written, "D4", CultureInfo.InvariantCulture);
        return 6 + written;
    }

    private string NextId() => (++_idCounter).ToString("D4", CultureInfo.InvariantCulture);

    private static void Drain(ChannelReader<RealtimeMessage> reader)
    {
        while (reader.TryRead(out var message))
        {
            message.Dispose();
        }
    }

    private static DateTimeOffset? Min(params DateTimeOffset?[] values)
    {
        DateTimeOffset? min = null;
        foreach (var v in values)
        {
            if (v is { } value && (min is null || value < min))
            {
                min = value;
            }
        }

        return min;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static void Return<T>(ref T[]? array)
    {
        if (array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
            array = null;
        }
    }
}
