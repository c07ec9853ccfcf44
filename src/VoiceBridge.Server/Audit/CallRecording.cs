using System.Buffers;
using System.Threading.Channels;
using VoiceBridge.Audio;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// One call's stereo recording, as the caller heard it: caller on the left, assistant on the right, PCM16. The hot path
/// only places samples on the call's timeline in memory; finished stretches go through a bounded channel to this
/// call's writer task, so no session loop ever waits on the disk.
/// </summary>
/// <remarks>
/// The timeline's "now" is the caller's audio for phone calls (Twilio streams 20 ms frames continuously, and its media
/// clock is the call's clock — docs/protocols/twilio-media-streams.md#sequence-numbers-chunks-and-timestamps), and the
/// wall clock for browser calls (a client may stop sending while muted). Caller audio is placed back to back (a browser
/// chunk no earlier than it could have been spoken: arrival minus its length). Assistant audio is placed at its
/// playback time: back to back from when it was sent, as Twilio plays it
/// (docs/protocols/twilio-media-streams.md#frames-timing-and-closing). A clear (barge-in) removes the assistant audio
/// not yet played at that moment, and the end of the call drops audio scheduled after it: what was never heard is not
/// in the recording.
/// </remarks>
internal sealed class CallRecording : IAsyncDisposable
{
    /// <summary>Stereo PCM16: four bytes per frame; recording offsets are byte offsets into the WAV data chunk.</summary>
    public const int BytesPerFrame = 4;

    // Chunks handed to the writer: 256 of half a second each hold two minutes of audio waiting for a slow disk.
    private const int QueueChunks = 256;

    private readonly Lock _gate = new();
    private readonly Channel<(short[] Samples, int Count)> _chunks;
    private readonly Task _writer;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly bool _wallClock;
    private readonly int _emitFrames;
    private short[] _buffer;
    private long _base;
    private long _written;
    private long _callerEnd;
    private long _assistantEnd;
    private long _lastCaller;
    private long _lastAssistant;
    private bool _closed;
    private volatile bool _failed;

    public CallRecording(Stream file, int sampleRate, bool wallClock, TimeProvider time)
    {
        SampleRate = sampleRate;
        _wallClock = wallClock;
        _time = time;
        _started = time.GetTimestamp();
        _emitFrames = sampleRate / 2;
        // One second of stereo timeline to start with (32 KiB at 8 kHz), grown only while a reply sent ahead of playback
        // needs more: a steady call holds half a second of caller audio waiting for its chunk. Four seconds up front
        // were 128 KiB of every call's memory (measured with a heap dump at 100 calls).
        _buffer = ArrayPool<short>.Shared.Rent(sampleRate * 2);
        Array.Clear(_buffer);
        _chunks = Channel.CreateBounded<(short[], int)>(new BoundedChannelOptions(QueueChunks) { SingleReader = true, SingleWriter = true });
#pragma warning disable CA2000 // Owned by the writer task, which disposes it when the channel completes.
        var wav = new WavWriter(file, new WavFormat(sampleRate, 2, WavEncoding.Pcm16));
#pragma warning restore CA2000
        _writer = Task.Run(() => WriteAsync(wav));
    }

    public int SampleRate { get; }

    /// <summary>The disk could not keep up or failed; the rest of the call is not recorded.</summary>
    public bool Failed => _failed;

    /// <summary>Data offset of the caller audio placed last (where the upstream copy of that audio sits too).</summary>
    public long LastCallerOffset
    {
        get
        {
            lock (_gate)
            {
                return _lastCaller * BytesPerFrame;
            }
        }
    }

    /// <summary>Data offset where caller audio arriving now would be placed (at least).</summary>
    public long NextCallerOffset
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_callerEnd, _written) * BytesPerFrame;
            }
        }
    }

    /// <summary>Data offset of the assistant audio placed last.</summary>
    public long LastAssistantOffset
    {
        get
        {
            lock (_gate)
            {
                return _lastAssistant * BytesPerFrame;
            }
        }
    }

    /// <summary>Data offset where assistant audio sent now would start playing.</summary>
    public long NextAssistantOffset
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_assistantEnd, Now()) * BytesPerFrame;
            }
        }
    }

    /// <summary>Places caller audio; returns its data offset.</summary>
    public long Caller(ReadOnlySpan<short> samples)
    {
        lock (_gate)
        {
            var now = Now();
            var start = Math.Max(Math.Max(_callerEnd, _written), _wallClock ? now - samples.Length : 0);
            if (!_closed)
            {
                Place(start, samples, 0);
            }

            _lastCaller = start;
            _callerEnd = start + samples.Length;
            Emit(Now(), force: false);
            return start * BytesPerFrame;
        }
    }

    /// <summary>Places assistant audio at its playback time; returns its data offset.</summary>
    public long Assistant(ReadOnlySpan<short> samples)
    {
        lock (_gate)
        {
            var start = Math.Max(Math.Max(_assistantEnd, Now()), _written);
            if (!_closed)
            {
                Place(start, samples, 1);
            }

            _assistantEnd = start + samples.Length;
            _lastAssistant = start;
            return start * BytesPerFrame;
        }
    }

    /// <summary>The caller's player dropped what it had not played yet (Twilio <c>clear</c>, a client's truncate).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            var from = Math.Max(Now(), _written);
            for (var frame = from; frame < _assistantEnd && frame - _base < _buffer.Length / 2; frame++)
            {
                _buffer[((frame - _base) * 2) + 1] = 0;
            }

            _assistantEnd = Math.Min(_assistantEnd, from);
        }
    }

    /// <summary>Writes everything up to now, drops what would have played later, finishes the WAV header.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            Emit(Math.Max(Now(), _callerEnd), force: true);
            _closed = true;
            _chunks.Writer.TryComplete();
            ArrayPool<short>.Shared.Return(_buffer);
            _buffer = [];
        }

        await _writer.ConfigureAwait(false);
    }

    private long Now() => _wallClock ? (long)(_time.GetElapsedTime(_started).TotalSeconds * SampleRate) : _callerEnd;

    private void Place(long start, ReadOnlySpan<short> samples, int channel)
    {
        Ensure(start + samples.Length);
        var index = (int)(start - _base) * 2;
        for (var i = 0; i < samples.Length; i++)
        {
            _buffer[index + (2 * i) + channel] = samples[i];
        }
    }

    // Makes room for frames up to end: first by dropping what was written, then by growing.
    private void Ensure(long end)
    {
        if ((end - _base) * 2 > _buffer.Length)
        {
            Compact(Math.Max(_buffer.Length, (int)Math.Min(int.MaxValue / 4, (end - _written) * 2) * 2));
        }
    }

    // Moves the unwritten frames to the start of a buffer of at least `length` shorts; the rest is silence.
    private void Compact(int length)
    {
        var keepFrom = (int)(_written - _base) * 2;
        var keep = _buffer.Length - keepFrom;
        var target = length > _buffer.Length ? ArrayPool<short>.Shared.Rent(length) : _buffer;
        Array.Copy(_buffer, keepFrom, target, 0, keep);
        Array.Clear(target, keep, target.Length - keep);
        if (!ReferenceEquals(target, _buffer))
        {
            ArrayPool<short>.Shared.Return(_buffer);
            _buffer = target;
        }

        _base = _written;
    }

    // Hands frames [written, upTo) to the writer in chunks of half a second (or whatever is there when forced).
    private void Emit(long upTo, bool force)
    {
        while (upTo - _written >= (force ? 1 : _emitFrames))
        {
            var frames = (int)Math.Min(upTo - _written, _emitFrames);
            var chunk = ArrayPool<short>.Shared.Rent(frames * 2);
            var offset = _written - _base;
            var inBuffer = (int)Math.Clamp((_buffer.Length / 2) - offset, 0, frames);
            Array.Copy(_buffer, offset * 2, chunk, 0, inBuffer * 2);
            Array.Clear(_buffer, (int)offset * 2, inBuffer * 2);
            Array.Clear(chunk, inBuffer * 2, (frames - inBuffer) * 2);
            _written += frames;
            if (_failed || !_chunks.Writer.TryWrite((chunk, frames * 2)))
            {
                // The writer is two minutes behind or failed: the recording stops rather than holding the call's memory.
                _failed = true;
                ArrayPool<short>.Shared.Return(chunk);
            }

            if ((_written - _base) * 4 > _buffer.Length)
            {
                // Over half the frames are written: slide instead of growing (amortised, not per frame).
                Compact(_buffer.Length);
            }
        }
    }

    private async Task WriteAsync(WavWriter wav)
    {
        var sinceFlush = 0;
        try
        {
            await using (wav.ConfigureAwait(false))
            {
                await foreach (var (samples, count) in _chunks.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    try
                    {
                        if (!_failed)
                        {
                            await wav.WriteAsync(samples.AsMemory(0, count)).ConfigureAwait(false);
                            // The header declares the length written so far every few seconds (a crash leaves a playable file).
                            if (++sinceFlush >= 10)
                            {
                                sinceFlush = 0;
                                await wav.FlushAsync().ConfigureAwait(false);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<short>.Shared.Return(samples);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _failed = true;
            while (_chunks.Reader.TryRead(out var left))
            {
                ArrayPool<short>.Shared.Return(left.Samples);
            }
        }
    }
}
