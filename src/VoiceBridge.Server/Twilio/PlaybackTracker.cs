using System.Diagnostics;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Knows what the caller has heard. Assistant audio goes to the caller in frames followed by marks; the caller's side
/// (Twilio) plays what it receives in order, in real time, and echoes a mark once everything before it has played.
/// Echoes are the only truth about playback over a WebSocket
/// (docs/protocols/openai-realtime.md#barge-in-when-the-client-owns-playback), but they come once per mark, and a mark
/// per delta means one per 100 ms to several seconds of audio. So at a barge-in the position is estimated: from the
/// moment the last mark was echoed (or the next audio was sent, if it came later), playback advances at the rate of
/// the clock — never beyond the next mark not yet echoed (its echo is overdue: the caller's playback may have
/// stalled), never beyond what was sent, never into an item whose audio was never sent
/// (docs/operations.md#barge-in-precision). Not thread-safe: owned by one session and driven from its event loops.
/// </summary>
internal sealed class PlaybackTracker
{
    private readonly TimeProvider _time;
    private readonly Queue<PendingMark> _pending = new();
    private readonly HashSet<long> _cleared = [];
    private readonly Dictionary<string, ItemPlayback> _items = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interruptedResponses = new(StringComparer.Ordinal);
    private string? _activeResponseId;
    private long _nextMark;

    // Audio handed to the caller since the last mark: its item, length, frames and when its first frame was sent.
    private ItemPlayback? _unmarkedItem;
    private double _unmarkedMs;
    private int _unmarkedFrames;
    private long _unmarkedSince;

    // When playback reached the end of the last echoed mark, or stopped at a clear: audio behind it starts then at
    // the earliest.
    private long _playheadAt = long.MinValue;

    /// <param name="time">The clock echoes and sends are timed with; the system's when null.</param>
    /// <param name="settings">Mark cadence and interpolation; <see cref="PlaybackSettings.Default"/> when null.</param>
    public PlaybackTracker(TimeProvider? time = null, PlaybackSettings? settings = null)
    {
        _time = time ?? TimeProvider.System;
        Settings = settings ?? PlaybackSettings.Default;
    }

    /// <summary>Mark cadence and interpolation.</summary>
    public PlaybackSettings Settings { get; set; }

    /// <summary>Marks sent whose echo has not come back yet.</summary>
    public int PendingMarks => _pending.Count;

    /// <summary>Audio is queued or playing at the caller's side.</summary>
    public bool IsPlaying => _pending.Count > 0;

    /// <summary>A response is generating (not yet done, not interrupted).</summary>
    public bool IsResponseActive => _activeResponseId is not null;

    /// <summary>A response started generating; its audio may be interrupted until it is done.</summary>
    public void OnResponseCreated(string responseId) => _activeResponseId = responseId;

    /// <summary>The response finished generating (its audio may still be playing).</summary>
    public void OnResponseDone(string responseId)
    {
        if (string.Equals(_activeResponseId, responseId, StringComparison.Ordinal))
        {
            _activeResponseId = null;
        }
    }

    /// <summary>Whether audio of this response must be dropped because the caller interrupted it.</summary>
    public bool IsInterrupted(string? responseId) => responseId is not null && _interruptedResponses.Contains(responseId);

    /// <summary>
    /// Records a frame of <paramref name="durationMs"/> of <paramref name="itemId"/> handed to the caller. Returns
    /// true when a mark is due right after it (<see cref="PlaybackSettings.MarkEveryFrames"/>); the caller then sends
    /// the mark <see cref="TakeMark"/> names. Every item's audio must be marked (<see cref="TakeMark"/>) before
    /// another item's frame is sent.
    /// </summary>
    public bool OnFrameSent(string itemId, double durationMs)
    {
        if (_unmarkedItem is null || !string.Equals(_unmarkedItem.ItemId, itemId, StringComparison.Ordinal))
        {
            Debug.Assert(_unmarkedItem is null, "an item's audio is marked before the next item's frame");
            if (!_items.TryGetValue(itemId, out var item))
            {
                item = new ItemPlayback(itemId);
                _items[itemId] = item;
            }

            _unmarkedItem = item;
        }

        if (_unmarkedFrames == 0)
        {
            _unmarkedSince = _time.GetTimestamp();
        }

        _unmarkedItem.SentMs += durationMs;
        _unmarkedMs += durationMs;
        _unmarkedFrames++;
        return Settings.MarkEveryFrames > 0 && _unmarkedFrames >= Settings.MarkEveryFrames;
    }

    /// <summary>
    /// Closes the audio sent since the last mark with a new mark and returns its number, to be sent to the caller
    /// right away; null when no audio was sent since the last mark.
    /// </summary>
    public long? TakeMark()
    {
        if (_unmarkedItem is null)
        {
            return null;
        }

        var mark = ++_nextMark;
        _pending.Enqueue(new PendingMark(mark, _unmarkedItem, _unmarkedItem.SentMs, _unmarkedMs, _unmarkedSince));
        _unmarkedItem = null;
        _unmarkedMs = 0;
        _unmarkedFrames = 0;
        return mark;
    }

    /// <summary>
    /// Records <paramref name="durationMs"/> of <paramref name="itemId"/> handed to the caller at once and returns the
    /// number of the mark to send right after it.
    /// </summary>
    public long OnAudioSent(string itemId, double durationMs)
    {
        OnFrameSent(itemId, durationMs);
        return TakeMark()!.Value;
    }

    /// <summary>The caller's side echoed mark <paramref name="mark"/>.</summary>
    public MarkEcho OnMarkEchoed(long mark)
    {
        if (_cleared.Remove(mark))
        {
            return new MarkEcho(MarkEchoKind.Cleared);
        }

        if (!IsPending(mark))
        {
            return new MarkEcho(MarkEchoKind.Unknown);
        }

        // Playback is in order: an echo acknowledges every earlier mark too.
        while (_pending.TryDequeue(out var played))
        {
            played.Item.PlayedMs = played.ItemMsAtMark;
            if (played.Mark == mark)
            {
                _playheadAt = _time.GetTimestamp();
                return new MarkEcho(MarkEchoKind.Played, played.Item.ItemId, PlayedMilliseconds(played.Item));
            }
        }

        return new MarkEcho(MarkEchoKind.Unknown);
    }

    /// <summary>Milliseconds of an item the caller has heard so far (last echoed mark).</summary>
    public int HeardMs(string itemId) => _items.TryGetValue(itemId, out var item) ? PlayedMilliseconds(item) : 0;

    /// <summary>The caller started speaking: decide clear, truncate and which response to silence.</summary>
    public BargeInDecision OnSpeechStarted()
    {
        string? interrupted = null;
        if (_activeResponseId is not null)
        {
            interrupted = _activeResponseId;
            _interruptedResponses.Add(interrupted);
            _activeResponseId = null;
        }

        if (_pending.Count == 0)
        {
            // Nothing queued at the caller: no clear (it would be a no-op at best) and nothing to cut — every item
            // sent so far was heard in full.
            return new BargeInDecision(false, null, 0, interrupted);
        }

        // The head of the queue is the audio playing now; items queued behind it never played and are not truncated.
        var now = _time.GetTimestamp();
        var head = _pending.Peek();
        var heardMs = HeardWithin(head, now);
        foreach (var pending in _pending)
        {
            _cleared.Add(pending.Mark);
        }

        _pending.Clear();
        // The clear stops playback here: audio sent after it starts when it arrives.
        _playheadAt = now;
        return new BargeInDecision(true, head.Item.ItemId, (int)Math.Floor(Math.Min(heardMs, head.Item.SentMs)), interrupted);
    }

    // Milliseconds of the head mark's item heard by now: up to the previous echo, plus the time the head's audio has
    // been playing, capped at the head mark itself.
    private double HeardWithin(PendingMark head, long now)
    {
        var before = Math.Max(0, head.ItemMsAtMark - head.DurationMs);
        if (!Settings.Interpolate)
        {
            return before;
        }

        var playingSince = Math.Max(_playheadAt, head.SentAt);
        var playing = now > playingSince ? _time.GetElapsedTime(playingSince, now).TotalMilliseconds : 0;
        return before + Math.Min(playing, head.ItemMsAtMark - before);
    }

    private bool IsPending(long mark)
    {
        foreach (var pending in _pending)
        {
            if (pending.Mark == mark)
            {
                return true;
            }
        }

        return false;
    }

    private static int PlayedMilliseconds(ItemPlayback item) => (int)Math.Floor(Math.Min(item.PlayedMs, item.SentMs));

    private sealed class ItemPlayback(string itemId)
    {
        public string ItemId { get; } = itemId;

        public double SentMs { get; set; }

        public double PlayedMs { get; set; }
    }

    /// <param name="Mark">The mark's number.</param>
    /// <param name="Item">The item whose audio the mark follows.</param>
    /// <param name="ItemMsAtMark">Milliseconds of the item sent up to the mark.</param>
    /// <param name="DurationMs">Milliseconds of audio between the previous mark and this one.</param>
    /// <param name="SentAt">When the first of that audio was sent (a <see cref="TimeProvider"/> timestamp).</param>
    private readonly record struct PendingMark(long Mark, ItemPlayback Item, double ItemMsAtMark, double DurationMs, long SentAt);
}
