using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Core;

/// <summary>
/// The conversation of one call as the caller heard it: the caller's words (upstream input transcription, or the text
/// items the caller leg produced) and the assistant's words cut where playback was cut. Fed with the events that crossed
/// the upstream leg, live or replayed from the audit trail (where audio payloads are <c>{bytes, …}</c>), in order.
/// Also what a new upstream session is re-seeded from: <see cref="Turns"/> is the conversation so far.
/// Thread-safe.
/// </summary>
/// <remarks>
/// The Realtime API truncates an item at <c>audio_end_ms</c> and drops the text of the removed part, but never says how
/// much text that was (docs/protocols/openai-realtime.md#client-events). The cut is therefore estimated: the transcript
/// is cut in proportion to heard audio over generated audio, at a word boundary — a word is kept when its middle falls
/// before the proportional point. Speech rate varies within a turn, so the cut can be off by a word or two; the words
/// after the cut are kept apart, as never heard (<see cref="HeardTurn.NeverHeard"/>).
/// </remarks>
internal sealed class HeardTranscript : ICallObserver
{
    private readonly Lock _gate = new();
    private readonly List<Turn> _order = [];
    private readonly Dictionary<string, Turn> _turns = new(StringComparer.Ordinal);
    private readonly int _upstreamBytesPerMs;
    private Turn? _lastAudio;
    private byte[] _lastAudioId = [];

    /// <param name="upstreamBytesPerMs">Upstream output audio bytes per millisecond: 48 for PCM16 24 kHz, 8 for G.711.</param>
    public HeardTranscript(int upstreamBytesPerMs = 48)
    {
        _upstreamBytesPerMs = Math.Max(1, upstreamBytesPerMs);
    }

    /// <summary>The turns so far, in conversation order (turns without text yet are left out).</summary>
    public IReadOnlyList<HeardTurn> Turns()
    {
        lock (_gate)
        {
            var turns = new List<HeardTurn>(_order.Count);
            foreach (var turn in _order)
            {
                if (turn.Result() is { } heard)
                {
                    turns.Add(heard);
                }
            }

            return turns;
        }
    }

    /// <summary>Feeds one event that crossed the upstream leg (other directions and types are ignored).</summary>
    public void Observe(AuditDirection direction, ReadOnlySpan<byte> json)
    {
        if (direction is not (AuditDirection.UpstreamIn or AuditDirection.UpstreamOut) || !RealtimeEventPeek.TryPeek(json, out var type))
        {
            return;
        }

        Observe(type, json);
    }

    // A live call feeds its transcript as one of its observers: the core has already read each event's type, and audio
    // comes decoded with its item id.
    void ICallObserver.OnUpstreamEvent(RealtimeEventType type, ReadOnlySpan<byte> wire) => Observe(type, wire);

    void ICallObserver.OnUpstreamSent(RealtimeEventType type, ReadOnlySpan<byte> wire) => Observe(type, wire);

    void ICallObserver.OnUpstreamAudio(in AudioFrame frame)
    {
        if (frame.ItemId is { } itemId)
        {
            AssistantAudio(itemId, frame.Payload.Length / (double)_upstreamBytesPerMs);
        }
    }

    private void Observe(RealtimeEventType type, ReadOnlySpan<byte> json)
    {
        switch (type)
        {
            case RealtimeEventType.ResponseOutputAudioDelta:
                AudioDelta(json);
                return;
            case RealtimeEventType.InputAudioBufferCommitted or RealtimeEventType.InputAudioTranscriptionCompleted
                or RealtimeEventType.ConversationItemAdded or RealtimeEventType.ConversationItemDone or RealtimeEventType.ResponseOutputItemAdded
                or RealtimeEventType.ResponseOutputAudioTranscriptDelta or RealtimeEventType.ResponseOutputAudioTranscriptDone
                or RealtimeEventType.ConversationItemTruncate or RealtimeEventType.ConversationItemTruncated:
                break;
            default:
                return;
        }

        if (!RealtimeEventSerializer.TryParse(json, out var parsed))
        {
            return;
        }

        switch (parsed)
        {
            case InputAudioBufferCommittedEvent { ItemId: { } id }:
                Get(id, HeardTurn.CallerRole);
                break;
            case InputAudioTranscriptionCompletedEvent { ItemId: { } id, Transcript: { } text }:
                CallerSaid(id, text);
                break;
            case ConversationItemAddedEvent { Item: { } item }:
                Item(item);
                break;
            case ConversationItemDoneEvent { Item: { } item }:
                Item(item);
                break;
            case ResponseOutputItemAddedEvent { Item: { } item }:
                Item(item);
                break;
            case ResponseOutputAudioTranscriptDeltaEvent { ItemId: { } id, Delta: { } delta }:
                lock (_gate)
                {
                    Get(id, HeardTurn.AssistantRole).Text.Append(delta);
                }

                break;
            case ResponseOutputAudioTranscriptDoneEvent { ItemId: { } id, Transcript: { } text }:
                lock (_gate)
                {
                    var turn = Get(id, HeardTurn.AssistantRole);
                    turn.Text.Clear().Append(text);
                }

                break;
            case ConversationItemTruncateEvent { ItemId: { } id } truncate:
                Truncated(id, truncate.AudioEndMs);
                break;
            case ConversationItemTruncatedEvent { ItemId: { } id } truncated:
                Truncated(id, truncated.AudioEndMs);
                break;
        }
    }

    /// <summary>The caller's words for an item (input transcription, or a text item such as a key press).</summary>
    public void CallerSaid(string itemId, string text)
    {
        lock (_gate)
        {
            Get(itemId, HeardTurn.CallerRole).Text.Clear().Append(text);
        }
    }

    /// <summary>Playback of an assistant item was cut after <paramref name="audioEndMs"/>.</summary>
    public void Truncated(string itemId, int audioEndMs)
    {
        lock (_gate)
        {
            var turn = Get(itemId, HeardTurn.AssistantRole);
            turn.HeardMs = turn.HeardMs is { } earlier ? Math.Min(earlier, audioEndMs) : audioEndMs;
        }
    }

    /// <summary>Assistant audio generated for an item.</summary>
    public void AssistantAudio(string itemId, double milliseconds)
    {
        lock (_gate)
        {
            Get(itemId, HeardTurn.AssistantRole).AudioMs += milliseconds;
        }
    }

    private void Item(RealtimeItem item)
    {
        if (item.Id is not { } id || item.Type != "message")
        {
            return;
        }

        lock (_gate)
        {
            var turn = Get(id, item.Role == "user" ? HeardTurn.CallerRole : HeardTurn.AssistantRole);
            if (item.Role == "user" && turn.Text.Length == 0 && item.Content is { } content)
            {
                foreach (var part in content)
                {
                    if (part.Type == "input_text" && part.Text is { } text)
                    {
                        turn.Text.Append(text);
                    }
                }
            }
        }
    }

    // Audio deltas come ~50 a second: the item id is compared in place and the payload only measured, not decoded.
    private void AudioDelta(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        long bytes = -1;
        var sameItem = false;
        string? itemId = null;
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("item_id"u8))
                {
                    reader.Read();
                    lock (_gate)
                    {
                        sameItem = _lastAudio is not null && reader.ValueTextEquals(_lastAudioId);
                    }

                    if (!sameItem)
                    {
                        itemId = reader.GetString();
                    }
                }
                else if (reader.ValueTextEquals("delta"u8))
                {
                    reader.Read();
                    bytes = reader.TokenType == JsonTokenType.String ? DecodedLength(reader.ValueSpan) : ReadBytes(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: an escaped id that does not unescape to valid UTF-8 (a lone \uD800).
            return;
        }

        if (bytes <= 0 || (!sameItem && itemId is null))
        {
            return;
        }

        lock (_gate)
        {
            if (!sameItem)
            {
                _lastAudio = Get(itemId!, HeardTurn.AssistantRole);
                _lastAudioId = Encoding.UTF8.GetBytes(itemId!);
            }

            _lastAudio!.AudioMs += bytes / (double)_upstreamBytesPerMs;
        }
    }

    private static long DecodedLength(ReadOnlySpan<byte> base64)
    {
        var padding = base64.EndsWith("=="u8) ? 2 : base64.EndsWith("="u8) ? 1 : 0;
        return Base64.GetMaxDecodedFromUtf8Length(base64.Length) - padding;
    }

    // The audit's replacement of a payload: {"bytes":n,"offset":o,"sha256":"…"}.
    private static long ReadBytes(ref Utf8JsonReader reader)
    {
        long bytes = -1;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return bytes;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isBytes = reader.ValueTextEquals("bytes"u8);
            reader.Read();
            if (isBytes && reader.TokenType == JsonTokenType.Number)
            {
                bytes = reader.GetInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        return bytes;
    }

    // Under the lock.
    private Turn Get(string itemId, string role)
    {
        if (!_turns.TryGetValue(itemId, out var turn))
        {
            turn = new Turn(itemId, role);
            _turns.Add(itemId, turn);
            _order.Add(turn);
        }

        return turn;
    }

    private sealed class Turn(string itemId, string role)
    {
        public string ItemId { get; } = itemId;

        public string Role { get; } = role;

        public StringBuilder Text { get; } = new();

        public double AudioMs { get; set; }

        public int? HeardMs { get; set; }

        public HeardTurn? Result()
        {
            var text = Text.ToString();
            if (Role == HeardTurn.CallerRole)
            {
                return text.Length == 0 ? null : new HeardTurn(Role, ItemId, text, null, null, null);
            }

            var audioMs = (int)Math.Round(AudioMs);
            if (HeardMs is not { } heard || heard >= audioMs)
            {
                return text.Length == 0 && audioMs == 0 ? null : new HeardTurn(Role, ItemId, text, audioMs, null, null);
            }

            var cut = Cut(text, heard, AudioMs);
            return new HeardTurn(Role, ItemId, cut, audioMs, heard, text[cut.Length..].Trim());
        }
    }

    /// <summary>The words of <paramref name="text"/> heard in <paramref name="heardMs"/> of <paramref name="totalMs"/>.</summary>
    internal static string Cut(string text, double heardMs, double totalMs)
    {
        if (totalMs <= 0 || heardMs >= totalMs)
        {
            return text;
        }

        var point = Math.Max(0, heardMs) / totalMs * text.Length;
        var end = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i > start && (start + i) / 2.0 < point)
            {
                end = i;
            }
            else
            {
                break;
            }
        }

        return text[..end];
    }
}
