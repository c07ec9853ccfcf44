using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Knows what the caller has heard. Every chunk of assistant audio sent to the caller is followed by a mark;
/// the caller's side (Twilio) echoes a mark once everything before it has played, in order. Marks are the only
/// truth about playback over a WebSocket (docs/protocols/openai-realtime.md#barge-in-when-the-client-owns-playback), so
/// barge-in truncates at the last echoed mark of the item at the head of playback — never beyond what was sent, never
/// for an item whose audio was never sent. Not thread-safe: owned by one session and driven from its event loop.
/// </summary>
internal sealed class PlaybackTracker
{
    private readonly Queue<PendingMark> _pending = new();
    private readonly HashSet<long> _cleared = [];
    private readonly Dictionary<string, ItemPlayback> _items = new(StringComparer.Ordinal);
    private readonly HashSet<string> _interruptedResponses = new(StringComparer.Ordinal);
    private string? _activeResponseId;
    private long _nextMark;

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
    /// Records <paramref name="durationMs"/> of <paramref name="itemId"/> handed to the caller and returns the
    /// number of the mark to send right after it.
    /// </summary>
    public long OnAudioSent(string itemId, double durationMs)
    {
        if (!_items.TryGetValue(itemId, out var item))
        {
            item = new ItemPlayback(itemId);
            _items[itemId] = item;
        }

        item.SentMs += durationMs;
        var mark = ++_nextMark;
        _pending.Enqueue(new PendingMark(mark, item, item.SentMs));
        return mark;
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

        // The head of the queue is the item playing now; items queued behind it never played and are not truncated.
        var head = _pending.Peek().Item;
        foreach (var pending in _pending)
        {
            _cleared.Add(pending.Mark);
        }

        _pending.Clear();
        return new BargeInDecision(true, head.ItemId, PlayedMilliseconds(head), interrupted);
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

    private readonly record struct PendingMark(long Mark, ItemPlayback Item, double ItemMsAtMark);
}
