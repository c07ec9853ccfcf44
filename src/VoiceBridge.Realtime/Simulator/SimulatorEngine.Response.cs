using System.Globalization;
using System.Text.Json;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

// Responses: the echo of the last utterance (or the text an operator asked to be said), scripted function calls,
// pacing, cancel and interruption.
public sealed partial class SimulatorEngine
{
    private SimulatorResponse? _active;
    private DateTimeOffset? _pendingAt;
    private int _scriptUsedForTurn;
    private bool _assistantAudioProduced;
    private JsonElement? _requestedMetadata;
    private string? _requestedSpeech;

    private async ValueTask RequestResponseAsync(ResponseCreateEvent create)
    {
        var clientEventId = create.EventId;
        if (_active is not null || _pendingAt is not null)
        {
            await ErrorAsync(
                "conversation_already_has_active_response",
                $"Conversation already has an active response in progress: {_active?.Id ?? "pending"}. Wait until the response is finished before creating a new one.",
                null,
                clientEventId).ConfigureAwait(false);
            return;
        }

        // The API echoes a response's metadata in response.created/done: clients use it to tell their own responses apart.
        JsonElement metadata = default;
        _requestedMetadata = create.Response?.ExtensionData?.TryGetValue("metadata", out metadata) == true ? metadata.Clone() : null;
        _requestedSpeech = VerbatimSpeech.TryRead(create.Response?.Instructions, out var text) ? text : null;
        await ScheduleResponseAsync().ConfigureAwait(false);
    }

    private async ValueTask CancelRequestedAsync(string? clientEventId)
    {
        if (_active is null)
        {
            await ErrorAsync("response_cancel_not_active", "Cancellation failed: no active response found.", null, clientEventId).ConfigureAwait(false);
            return;
        }

        await FinishAsync(_active, RealtimeResponse.Cancelled, RealtimeStatusDetails.ClientCancelled).ConfigureAwait(false);
    }

    private async ValueTask ScheduleResponseAsync()
    {
        // A text to say is not the model's answer to the caller's turn: the turn's script waits for that answer.
        var delay = _requestedSpeech is null ? UnusedScript()?.ResponseDelayMs ?? 0 : 0;
        if (delay > 0)
        {
            _pendingAt = _time.GetUtcNow().AddMilliseconds(delay);
            return;
        }

        await StartResponseAsync().ConfigureAwait(false);
    }

    // The script of the current user turn applies to the first response after that turn only.
    private SimulatorTurn? UnusedScript() => _scriptUsedForTurn == _userTurns ? null : ScriptFor(_userTurns);

    private async ValueTask StartResponseAsync()
    {
        var speech = _requestedSpeech;
        _requestedSpeech = null;
        var script = speech is null ? UnusedScript() : null;
        List<SimulatorFunctionCall> calls = [.. script?.FunctionCall is { } single ? [single] : Array.Empty<SimulatorFunctionCall>(), .. script?.FunctionCalls ?? []];
        if (speech is null)
        {
            _scriptUsedForTurn = _userTurns;
        }

        var metadata = _requestedMetadata;
        _requestedMetadata = null;
        var speak = calls.Count == 0 || calls.Exists(c => c.ThenSpeak);
        var output = _session.OutputFormat;
        var audio = speech is not null ? SimulatorSpeech.Render(speech, output) : speak ? EchoAudio() : [];
        var echoSeconds = audio.Length / (double)output.BytesPerMs() / 1000;
        var response = new SimulatorResponse
        {
            Id = "resp_sim" + NextId(),
            StartedAt = _time.GetUtcNow(),
            AudioItemId = speak ? "item_sim" + NextId() : null,
            AudioOutputIndex = calls.Count,
            Audio = audio,
            ChunkBytes = Math.Max(1, _options.OutputChunkMs) * output.BytesPerMs(),
            BytesPerMs = output.BytesPerMs(),
            Transcript = speech ?? (speak ? string.Create(CultureInfo.InvariantCulture, $"[echo {echoSeconds:0.00} s]") : string.Empty),
            Metadata = metadata,
        };
        await EmitAsync(new ResponseCreatedEvent { Response = ToWire(response, RealtimeResponse.InProgress, null, null) }).ConfigureAwait(false);

        for (var index = 0; index < calls.Count; index++)
        {
            await FunctionCallAsync(response, calls[index], index).ConfigureAwait(false);
        }

        if (!speak)
        {
            await EmitAsync(new ResponseDoneEvent { Response = ToWire(response, RealtimeResponse.Completed, null, Usage(response)) }).ConfigureAwait(false);
            return;
        }

        var itemId = response.AudioItemId!;
        var item = new RealtimeItem { Id = itemId, Type = RealtimeItem.MessageType, ObjectType = "realtime.item", Status = "in_progress", Role = "assistant", Content = [] };
        await EmitAsync(new ResponseOutputItemAddedEvent { ResponseId = response.Id, OutputIndex = response.AudioOutputIndex, Item = item }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemAddedEvent { PreviousItemId = _lastItemId, Item = item }).ConfigureAwait(false);
        response.PreviousItemId = _lastItemId;
        _items[itemId] = new SimulatorItem(itemId, "assistant");
        _lastItemId = itemId;
        await EmitAsync(new ResponseContentPartAddedEvent
        {
            ResponseId = response.Id,
            ItemId = itemId,
            OutputIndex = response.AudioOutputIndex,
            ContentIndex = 0,
            Part = new RealtimeContentPart { Type = "audio", Transcript = string.Empty },
        }).ConfigureAwait(false);
        await EmitAsync(new ResponseOutputAudioTranscriptDeltaEvent
        {
            ResponseId = response.Id,
            ItemId = itemId,
            OutputIndex = response.AudioOutputIndex,
            ContentIndex = 0,
            Delta = response.Transcript,
        }).ConfigureAwait(false);
        _assistantAudioProduced |= audio.Length > 0;
        _active = response;
    }

    private async ValueTask FunctionCallAsync(SimulatorResponse response, SimulatorFunctionCall call, int outputIndex)
    {
        var itemId = "item_sim" + NextId();
        var callId = "call_sim" + NextId();
        var item = new RealtimeItem
        {
            Id = itemId,
            Type = RealtimeItem.FunctionCallType,
            ObjectType = "realtime.item",
            Status = "in_progress",
            Name = call.Name,
            CallId = callId,
            Arguments = string.Empty,
        };
        var previous = _lastItemId;
        await EmitAsync(new ResponseOutputItemAddedEvent { ResponseId = response.Id, OutputIndex = outputIndex, Item = item }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemAddedEvent { PreviousItemId = previous, Item = item }).ConfigureAwait(false);

        // Three argument deltas, like the fixture (the real API streams a few tokens at a time).
        var arguments = call.Arguments;
        var step = Math.Max(1, (arguments.Length + 2) / 3);
        for (var start = 0; start < arguments.Length; start += step)
        {
            await EmitAsync(new ResponseFunctionCallArgumentsDeltaEvent
            {
                ResponseId = response.Id,
                ItemId = itemId,
                OutputIndex = outputIndex,
                CallId = callId,
                Delta = arguments.Substring(start, Math.Min(step, arguments.Length - start)),
            }).ConfigureAwait(false);
        }

        await EmitAsync(new ResponseFunctionCallArgumentsDoneEvent
        {
            ResponseId = response.Id,
            ItemId = itemId,
            OutputIndex = outputIndex,
            CallId = callId,
            Name = call.Name,
            Arguments = arguments,
        }).ConfigureAwait(false);
        var done = item with { Status = "completed", Arguments = arguments };
        await EmitAsync(new ResponseOutputItemDoneEvent { ResponseId = response.Id, OutputIndex = outputIndex, Item = done }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemDoneEvent { PreviousItemId = previous, Item = done }).ConfigureAwait(false);
        _items[itemId] = new SimulatorItem(itemId, RealtimeItem.FunctionCallType);
        _lastItemId = itemId;
        response.Output.Add(done);
        response.OutputTextTokens += Tokens(arguments.Length);
    }

    /// <summary>
    /// When the next chunk of real-time paced audio is due; null when nothing waits for the clock (Fast pacing, or all
    /// audio sent). Fast pacing must not be expressed as "due now": a real clock moves between two reads, so "now" read
    /// again is later than the pump's "now", the chunk looked not yet due, and the timer was re-armed at zero delay.
    /// Measured before the fix: ~4,400 timer wake-ups to release 10 chunks, 1-4 s per turn on an idle machine.
    /// </summary>
    private DateTimeOffset? NextChunkDue(SimulatorResponse response) =>
        response.AudioComplete || _options.Pacing == SimulatorPacing.Fast
            ? null
            : response.StartedAt.AddMilliseconds((double)response.SentBytes / response.ChunkBytes * _options.OutputChunkMs);

    private async ValueTask StreamDueAudioAsync(DateTimeOffset now)
    {
        var response = _active!;
        while (!response.AudioComplete && (_options.Pacing == SimulatorPacing.Fast || NextChunkDue(response) <= now))
        {
            await WriteAsync(NextChunk(response)).ConfigureAwait(false);
        }

        if (response.AudioComplete)
        {
            await FinishAsync(response, RealtimeResponse.Completed, null).ConfigureAwait(false);
        }
    }

    private RealtimeMessage NextChunk(SimulatorResponse response)
    {
        var chunk = response.Audio.AsSpan(response.SentBytes, Math.Min(response.ChunkBytes, response.Audio.Length - response.SentBytes));
        Span<char> eventId = stackalloc char[32];
        var length = NextEventId(eventId);
        var message = RealtimeAudioFrames.WriteOutputAudioDelta(chunk, eventId[..length], response.Id, response.AudioItemId, response.AudioOutputIndex, 0);
        response.SentBytes += chunk.Length;
        _items[response.AudioItemId!].AudioMs = response.SentMs;
        return message;
    }

    /// <summary>Ends the audio part of <paramref name="response"/> and the response (completed or cancelled).</summary>
    private async ValueTask FinishAsync(SimulatorResponse response, string status, string? reason)
    {
        _active = null;
        var itemId = response.AudioItemId!;
        var index = response.AudioOutputIndex;
        await EmitAsync(new ResponseOutputAudioDoneEvent { ResponseId = response.Id, ItemId = itemId, OutputIndex = index, ContentIndex = 0 }).ConfigureAwait(false);
        await EmitAsync(new ResponseOutputAudioTranscriptDoneEvent { ResponseId = response.Id, ItemId = itemId, OutputIndex = index, ContentIndex = 0, Transcript = response.Transcript }).ConfigureAwait(false);
        await EmitAsync(new ResponseContentPartDoneEvent
        {
            ResponseId = response.Id,
            ItemId = itemId,
            OutputIndex = index,
            ContentIndex = 0,
            Part = new RealtimeContentPart { Type = "audio", Transcript = response.Transcript },
        }).ConfigureAwait(false);
        var item = new RealtimeItem
        {
            Id = itemId,
            Type = RealtimeItem.MessageType,
            ObjectType = "realtime.item",
            Status = status == RealtimeResponse.Completed ? "completed" : "incomplete",
            Role = "assistant",
            Content = [new RealtimeContentPart { Type = RealtimeContentPart.OutputAudioType, Transcript = response.Transcript }],
        };
        await EmitAsync(new ResponseOutputItemDoneEvent { ResponseId = response.Id, OutputIndex = index, Item = item }).ConfigureAwait(false);
        await EmitAsync(new ConversationItemDoneEvent { PreviousItemId = response.PreviousItemId, Item = item }).ConfigureAwait(false);
        response.Output.Add(item);
        response.OutputTextTokens += Tokens(response.Transcript.Length);
        var details = reason is null ? null : new RealtimeStatusDetails { Type = status, Reason = reason };
        await EmitAsync(new ResponseDoneEvent { Response = ToWire(response, status, details, Usage(response)) }).ConfigureAwait(false);
    }

    private byte[] EchoAudio()
    {
        // Echoed in the session's output format, whatever the input format was (μ-law 8 kHz ↔ PCM 24 kHz resampled).
        return _lastUtterance is null ? [] : SimulatorAudioFormats.Convert(_lastUtterance, _lastUtteranceFormat, _session.OutputFormat);
    }

    /// <summary>
    /// Usage from durations (docs/protocols/openai-realtime.md#session-lifetime-and-limits: user audio ≈ 1 token per
    /// 100 ms, assistant audio ≈ 1 token per 50 ms; text ≈ 4 chars per token). Input counts the whole conversation so
    /// far, like the API.
    /// </summary>
    private RealtimeUsage Usage(SimulatorResponse response)
    {
        var inputAudio = (int)((_userAudioMs + 99) / 100);
        var inputText = Tokens(_session.Instructions.Length + (int)_inputTextChars);
        var outputAudio = (response.SentMs + 49) / 50;
        var outputText = response.OutputTextTokens;
        return new RealtimeUsage
        {
            TotalTokens = inputAudio + inputText + outputAudio + outputText,
            InputTokens = inputAudio + inputText,
            OutputTokens = outputAudio + outputText,
            InputTokenDetails = new RealtimeTokenDetails { TextTokens = inputText, AudioTokens = inputAudio, ImageTokens = 0, CachedTokens = 0 },
            OutputTokenDetails = new RealtimeTokenDetails { TextTokens = outputText, AudioTokens = outputAudio },
        };
    }

    private static int Tokens(int characters) => (characters + 3) / 4;

    private RealtimeResponse ToWire(SimulatorResponse response, string status, RealtimeStatusDetails? details, RealtimeUsage? usage) => new()
    {
        ObjectType = "realtime.response",
        Id = response.Id,
        Status = status,
        StatusDetails = details,
        Output = [.. response.Output],
        ConversationId = "conv_" + _session.Id,
        OutputModalities = _session.OutputModalities,
        Audio = new RealtimeSessionAudio { Output = new RealtimeAudioOutput { Format = _session.OutputFormat.ToWire(), Voice = _session.Voice } },
        Usage = usage,
        ExtensionData = response.Metadata is { } metadata ? new() { ["metadata"] = metadata } : null,
    };
}
