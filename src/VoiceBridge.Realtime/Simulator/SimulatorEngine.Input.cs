using System.Buffers;
using System.Globalization;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Realtime.Simulator;

// The input audio buffer, server VAD, user items, item.create and truncate.
public sealed partial class SimulatorEngine
{
    // The buffer keeps at most this much (the newest) so a stuck VAD or a never-committed buffer cannot grow without
    // bound; the API's own limit is per append (15 MiB).
    private const int MaxBufferMs = 120_000;

    private readonly Dictionary<string, SimulatorItem> _items = new(StringComparer.Ordinal);
    private EnergyVad _vad;
    private byte[]? _buffer;
    private int _bufferLength;
    private long _bufferStart;
    private long _receivedBytes;
    private double _msOffset;
    private byte[]? _audioScratch;
    private short[]? _pcmScratch;
    private string? _speechItemId;
    private string? _lastItemId;
    private byte[]? _lastUtterance;
    private SimulatorAudioFormat _lastUtteranceFormat;
    private int _userTurns;
    private long _userAudioMs;
    private long _inputTextChars;

    private double ReceivedMs => _msOffset + (_receivedBytes / (double)_session.InputFormat.BytesPerMs());

    private EnergyVad NewVad()
    {
        var format = _session.InputFormat;
        var dbfs = _options.SpeechThresholdDbfs + ((_session.Threshold - 0.5) * 40);
        return new EnergyVad(format.SampleRate(), dbfs, _options.SpeechStartWindows, _session.SilenceDurationMs, _receivedBytes / format.BytesPerSample());
    }

    private int MsAtByte(long bytes) => (int)Math.Round(_msOffset + (bytes / (double)_session.InputFormat.BytesPerMs()));

    private async ValueTask AppendAsync(ReadOnlyMemory<byte> frame)
    {
        Ensure(ref _audioScratch, RealtimeAudioFrames.GetMaxDecodedAudioLength(frame.Length));
        if (!RealtimeAudioFrames.TryReadInputAudioBufferAppend(frame.Span, _audioScratch, out var length))
        {
            await ErrorAsync("invalid_value", "Invalid 'audio': expected base64-encoded audio.", "audio", ReadEventId(frame.Span)).ConfigureAwait(false);
            return;
        }

        BufferAppend(_audioScratch.AsSpan(0, length));
        _receivedBytes += length;
        var format = _session.InputFormat;
        if (_session.TurnDetection is null)
        {
            var max = MaxBufferMs * format.BytesPerMs();
            if (_bufferLength > max)
            {
                BufferTrimTo(_bufferStart + _bufferLength - max);
            }

            return;
        }

        Ensure(ref _pcmScratch, length);
        var samples = format.Decode(_audioScratch.AsSpan(0, length), _pcmScratch);
        var offset = 0;
        while (offset < samples)
        {
            var transition = _vad.Add(_pcmScratch.AsSpan(offset, samples - offset), out var consumed);
            offset += consumed;
            if (transition == VadTransition.SpeechStarted)
            {
                await SpeechStartedAsync().ConfigureAwait(false);
            }
            else if (transition == VadTransition.SpeechStopped)
            {
                await SpeechStoppedAsync().ConfigureAwait(false);
            }

            if (_end is not null)
            {
                return;
            }
        }

        // Idle: keep only what a coming speech start can reach back to (prefix padding + the start windows).
        // Speaking: keep at most MaxBufferMs (the oldest audio goes first).
        var keep = _vad.InSpeech ? MaxBufferMs : _session.PrefixPaddingMs + ((_options.SpeechStartWindows + 1) * 20);
        BufferTrimTo(_receivedBytes - (keep * (long)format.BytesPerMs()));
    }

    private async ValueTask SpeechStartedAsync()
    {
        _speechItemId = "item_sim" + NextId();
        var bytesPerSample = _session.InputFormat.BytesPerSample();
        await EmitAsync(new SpeechStartedEvent
        {
            AudioStartMs = MsAtByte(_vad.SpeechStartSample * bytesPerSample),
            ItemId = _speechItemId,
        }).ConfigureAwait(false);

        if (_session.InterruptResponse)
        {
            _pendingAt = null;
            if (_active is not null)
            {
                await FinishAsync(_active, RealtimeResponse.Cancelled, RealtimeStatusDetails.TurnDetected).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask SpeechStoppedAsync()
    {
        var itemId = _speechItemId ?? "item_sim" + NextId();
        _speechItemId = null;
        var format = _session.InputFormat;
        var bytesPerSample = format.BytesPerSample();
        var stopByte = _vad.TransitionSample * bytesPerSample;
        await EmitAsync(new SpeechStoppedEvent { AudioEndMs = MsAtByte(stopByte), ItemId = itemId }).ConfigureAwait(false);

        var startByte = Math.Max(_bufferStart, (_vad.SpeechStartSample * bytesPerSample) - (_session.PrefixPaddingMs * (long)format.BytesPerMs()));
        var speechEndByte = Math.Min(_vad.LastSpeechEndSample * bytesPerSample, stopByte);
        var utterance = BufferSlice(startByte, speechEndByte);
        var itemMs = (int)((stopByte - startByte) / format.BytesPerMs());
        BufferTrimTo(stopByte);
        await CommitUserItemAsync(itemId, utterance, itemMs, _session.CreateResponse).ConfigureAwait(false);
    }

    private async ValueTask CommitAsync(string? clientEventId)
    {
        var ms = _bufferLength / (double)_session.InputFormat.BytesPerMs();
        if (ms < 100)
        {
            // Committing less than ~100 ms fails (docs/protocols/openai-realtime.md#client-events; message text as in
            // the error fixture).
            await ErrorAsync(
                "input_audio_buffer_commit_empty",
                string.Create(CultureInfo.InvariantCulture, $"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {ms:0.00}ms of audio."),
                null,
                clientEventId).ConfigureAwait(false);
            return;
        }

        var itemId = _speechItemId ?? "item_sim" + NextId();
        _speechItemId = null;
        var audio = BufferSlice(_bufferStart, _bufferStart + _bufferLength);
        ClearInput();
        await CommitUserItemAsync(itemId, audio, (int)ms, createResponse: false).ConfigureAwait(false);
    }

    private void ClearInput()
    {
        _bufferLength = 0;
        _bufferStart = _receivedBytes;
        _speechItemId = null;
        _vad.Reset();
    }

    private async ValueTask CommitUserItemAsync(string itemId, byte[] audio, int itemMs, bool createResponse)
    {
        var previous = _lastItemId;
        await EmitAsync(new InputAudioBufferCommittedEvent { PreviousItemId = previous, ItemId = itemId }).ConfigureAwait(false);
        var item = new RealtimeItem
        {
            Id = itemId,
            Type = RealtimeItem.MessageType,
            ObjectType = "realtime.item",
            Status = "completed",
            Role = "user",
            Content = [new RealtimeContentPart { Type = RealtimeContentPart.InputAudioType, Transcript = new JsonOptional<string>(null) }],
        };
        await EmitAsync(new ConversationItemAddedEvent { PreviousItemId = previous, Item = item }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemDoneEvent { PreviousItemId = previous, Item = item }).ConfigureAwait(false);
        _items[itemId] = new SimulatorItem(itemId, "user") { AudioMs = itemMs };
        _lastItemId = itemId;
        _userAudioMs += itemMs;
        _lastUtterance = audio;
        _lastUtteranceFormat = _session.InputFormat;
        _userTurns++;

        if (_session.Transcription is not null)
        {
            var audioTokens = (itemMs + 99) / 100;
            await EmitAsync(new InputAudioTranscriptionCompletedEvent
            {
                ItemId = itemId,
                ContentIndex = 0,
                Transcript = string.Create(CultureInfo.InvariantCulture, $"[audio {itemMs / 1000.0:0.00} s]"),
                Usage = new RealtimeUsage
                {
                    Type = "tokens",
                    InputTokens = audioTokens,
                    OutputTokens = 3,
                    TotalTokens = audioTokens + 3,
                    InputTokenDetails = new RealtimeTokenDetails { TextTokens = 0, AudioTokens = audioTokens },
                },
            }).ConfigureAwait(false);
        }

        var script = ScriptFor(_userTurns);
        if (script?.Error is { } error)
        {
            await ErrorAsync(error.Code, error.Message, null, null, error.Type).ConfigureAwait(false);
        }

        if (_options.Close?.AtTurn == _userTurns)
        {
            ScriptedClose();
            return;
        }

        if (createResponse && _active is null && _pendingAt is null)
        {
            await ScheduleResponseAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask CreateItemAsync(ConversationItemCreateEvent create)
    {
        var item = create.Item;
        string? role = item?.Type switch
        {
            RealtimeItem.FunctionCallOutputType when item.CallId is not null => RealtimeItem.FunctionCallOutputType,
            RealtimeItem.FunctionCallType => RealtimeItem.FunctionCallType,
            RealtimeItem.MessageType when item.Role is "user" or "system" or "assistant" => item.Role,
            _ => null,
        };
        if (item is null || role is null)
        {
            var param = item is null ? "item" : item.Type == RealtimeItem.FunctionCallOutputType ? "item.call_id" : item.Type == RealtimeItem.MessageType ? "item.role" : "item.type";
            await ErrorAsync(item is null || item.Type == RealtimeItem.FunctionCallOutputType ? "missing_required_parameter" : "invalid_value", $"Invalid or missing '{param}'.", param, create.EventId).ConfigureAwait(false);
            return;
        }

        var id = item.Id ?? "item_sim" + NextId();
        var full = item with { Id = id, ObjectType = "realtime.item", Status = "completed" };
        var previous = _lastItemId;
        await EmitAsync(new ConversationItemAddedEvent { PreviousItemId = previous, Item = full }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemDoneEvent { PreviousItemId = previous, Item = full }).ConfigureAwait(false);
        _items[id] = new SimulatorItem(id, role);
        _lastItemId = id;
        _inputTextChars += (item.Output?.Length ?? 0) + (item.Content?.Sum(c => c.Text?.Length ?? 0) ?? 0);
    }

    private async ValueTask TruncateAsync(ConversationItemTruncateEvent truncate)
    {
        if (truncate.ItemId is null || !_items.TryGetValue(truncate.ItemId, out var item))
        {
            await ErrorAsync("invalid_value", $"Item with item_id '{truncate.ItemId}' not found.", "item_id", truncate.EventId).ConfigureAwait(false);
            return;
        }

        if (item.Role != "assistant")
        {
            await ErrorAsync("invalid_value", "Only assistant messages can be truncated.", "item_id", truncate.EventId).ConfigureAwait(false);
            return;
        }

        if (truncate.ContentIndex != 0)
        {
            await ErrorAsync("invalid_value", "Invalid 'content_index': the item has one audio content part (0).", "content_index", truncate.EventId).ConfigureAwait(false);
            return;
        }

        if (truncate.AudioEndMs < 0 || truncate.AudioEndMs > item.AudioMs)
        {
            // The API refuses a cut beyond the audio it produced (docs/protocols/openai-realtime.md#client-events).
            await ErrorAsync(
                "invalid_value",
                $"Audio content of {item.AudioMs}ms is already shorter than {truncate.AudioEndMs}ms.",
                "audio_end_ms",
                truncate.EventId).ConfigureAwait(false);
            return;
        }

        item.AudioMs = truncate.AudioEndMs;
        await EmitAsync(new ConversationItemTruncatedEvent { ItemId = item.Id, ContentIndex = 0, AudioEndMs = truncate.AudioEndMs }).ConfigureAwait(false);
    }

    private SimulatorTurn? ScriptFor(int turn)
    {
        foreach (var t in _options.Turns)
        {
            if (t.Turn == turn)
            {
                return t;
            }
        }

        return null;
    }

    private void BufferAppend(ReadOnlySpan<byte> audio)
    {
        Ensure(ref _buffer, _bufferLength + audio.Length, keep: _bufferLength);
        audio.CopyTo(_buffer.AsSpan(_bufferLength));
        _bufferLength += audio.Length;
    }

    /// <summary>Drops buffered bytes before absolute position <paramref name="start"/>.</summary>
    private void BufferTrimTo(long start)
    {
        var drop = (int)Math.Clamp(start - _bufferStart, 0, _bufferLength);
        if (drop == 0 || _buffer is null)
        {
            return;
        }

        _buffer.AsSpan(drop, _bufferLength - drop).CopyTo(_buffer);
        _bufferLength -= drop;
        _bufferStart += drop;
    }

    private byte[] BufferSlice(long start, long end)
    {
        var from = (int)Math.Clamp(start - _bufferStart, 0, _bufferLength);
        var to = (int)Math.Clamp(end - _bufferStart, from, _bufferLength);
        return _buffer is null ? [] : _buffer.AsSpan(from, to - from).ToArray();
    }

    private static void Ensure<T>(ref T[]? array, int size, int keep = 0)
    {
        if (array is not null && array.Length >= size)
        {
            return;
        }

        var bigger = ArrayPool<T>.Shared.Rent(Math.Max(size, array is null ? 4096 : array.Length * 2));
        if (array is not null)
        {
            array.AsSpan(0, keep).CopyTo(bigger);
            ArrayPool<T>.Shared.Return(array);
        }

        array = bigger;
    }

    private void ReturnScratch()
    {
        Return(ref _buffer);
        Return(ref _audioScratch);
        Return(ref _pcmScratch);
    }
}
