using System.Text.Json;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Simulator;

// Dispatch of client events and session.update validation.
public sealed partial class SimulatorEngine
{
    // Session fields the real API accepts that the simulator keeps and echoes without acting on them
    // (docs/protocols/openai-realtime.md#the-session-object).
    private static readonly HashSet<string> AcceptedSessionExtras =
        ["max_output_tokens", "truncation", "include", "prompt", "tracing", "reasoning", "parallel_tool_calls", "expires_at"];

    private const string SupportedClientTypes =
        "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', " +
        "'conversation.item.create', 'conversation.item.truncate', 'response.create', 'response.cancel'";

    private SimulatorSessionConfig _session;

    private async ValueTask HandleAsync(RealtimeMessage message)
    {
        if (!RealtimeEventPeek.TryPeek(message.Span, out var type))
        {
            await ErrorAsync("invalid_json", "The event is not a JSON object with a string 'type'.", null, null).ConfigureAwait(false);
            return;
        }

        if (type == RealtimeEventType.InputAudioBufferAppend)
        {
            await AppendAsync(message.Memory).ConfigureAwait(false);
            return;
        }

        if (!RealtimeEventSerializer.TryParse(message.Span, out var parsed))
        {
            await ErrorAsync("invalid_value", "The event has fields of the wrong type.", null, ReadEventId(message.Span)).ConfigureAwait(false);
            return;
        }

        switch (parsed)
        {
            case SessionUpdateEvent update:
                await UpdateSessionAsync(update).ConfigureAwait(false);
                break;
            case InputAudioBufferCommitEvent commit:
                await CommitAsync(commit.EventId).ConfigureAwait(false);
                break;
            case InputAudioBufferClearEvent:
                ClearInput();
                await EmitAsync(new InputAudioBufferClearedEvent()).ConfigureAwait(false);
                break;
            case ConversationItemCreateEvent create:
                await CreateItemAsync(create).ConfigureAwait(false);
                break;
            case ConversationItemTruncateEvent truncate:
                await TruncateAsync(truncate).ConfigureAwait(false);
                break;
            case ResponseCreateEvent create:
                await RequestResponseAsync(create).ConfigureAwait(false);
                break;
            case ResponseCancelEvent cancel:
                await CancelRequestedAsync(cancel.EventId).ConfigureAwait(false);
                break;
            default:
                // Server event types and unknown types alike: the API's "Invalid value" error on 'type' (fixture).
                await ErrorAsync(
                    "invalid_value",
                    $"Invalid value: '{parsed.Type}'. Supported values are: {SupportedClientTypes}.",
                    "type",
                    parsed.EventId ?? ReadEventId(message.Span)).ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask UpdateSessionAsync(SessionUpdateEvent update)
    {
        var (next, failure) = Apply(_session, update.Session, _assistantAudioProduced);
        if (failure is { } error)
        {
            await ErrorAsync(error.Code, error.Message, error.Param, update.EventId).ConfigureAwait(false);
            return;
        }

        var inputChanged = next.InputFormat != _session.InputFormat;
        var vadChanged = next.TurnDetection != _session.TurnDetection;
        _session = next;
        if (inputChanged)
        {
            // Positions keep counting in ms across a format change; the byte stream restarts.
            _msOffset = ReceivedMs;
            _receivedBytes = 0;
            ClearInput();
        }

        if (inputChanged || vadChanged)
        {
            _vad = NewVad();
        }

        await EmitAsync(new SessionUpdatedEvent { Session = _session.ToWire() }).ConfigureAwait(false);
    }

    /// <summary>Validates and merges an update; the session is unchanged when it fails (like the API).</summary>
    private static (SimulatorSessionConfig Next, SessionUpdateError? Error) Apply(SimulatorSessionConfig current, RealtimeSession? update, bool voiceLocked)
    {
        if (update?.Type is null)
        {
            return (current, new SessionUpdateError("missing_required_parameter", "Missing required parameter: 'session.type'.", "session.type"));
        }

        if (update.Type != "realtime")
        {
            var message = update.Type == "transcription"
                ? "The simulator supports only 'realtime' sessions."
                : $"Invalid value: '{update.Type}'. Supported values are: 'realtime' and 'transcription'.";
            return (current, new SessionUpdateError("invalid_value", message, "session.type"));
        }

        if (FirstUnknownField(update) is { } unknown)
        {
            return (current, new SessionUpdateError("unknown_parameter", $"Unknown parameter: '{unknown}'.", unknown));
        }

        if (update.Model is { } model && model != current.Model)
        {
            return (current, new SessionUpdateError("invalid_value", "The model cannot be changed within a session.", "session.model"));
        }

        var input = update.Audio?.Input;
        var output = update.Audio?.Output;
        var inputFormat = current.InputFormat;
        if (input?.Format is { } inFormat)
        {
            if (SimulatorAudioFormats.FromWire(inFormat) is not { } parsed)
            {
                return (current, FormatError(inFormat, "session.audio.input.format"));
            }

            inputFormat = parsed;
        }

        var outputFormat = current.OutputFormat;
        if (output?.Format is { } outFormat)
        {
            if (SimulatorAudioFormats.FromWire(outFormat) is not { } parsed)
            {
                return (current, FormatError(outFormat, "session.audio.output.format"));
            }

            outputFormat = parsed;
        }

        var turnDetection = current.TurnDetection;
        if (input is not null && input.TurnDetection.IsPresent)
        {
            turnDetection = input.TurnDetection.Value;
            if (turnDetection is not null && ValidateTurnDetection(turnDetection) is { } vadError)
            {
                return (current, vadError);
            }
        }

        var voice = current.Voice;
        if (output?.Voice is { } newVoice && newVoice != current.Voice)
        {
            if (voiceLocked)
            {
                return (current, new SessionUpdateError("invalid_value", "Cannot update a session's voice after the model has responded with audio.", "session.audio.output.voice"));
            }

            voice = newVoice;
        }

        if (update.OutputModalities is { } modalities && (modalities.Count != 1 || modalities[0] is not ("audio" or "text")))
        {
            return (current, new SessionUpdateError("invalid_value", "output_modalities must be ['audio'] or ['text'].", "session.output_modalities"));
        }

        var extras = new Dictionary<string, JsonElement>(current.Extras);
        foreach (var (key, value) in update.ExtensionData ?? [])
        {
            extras[key] = value.Clone();
        }

        var next = current with
        {
            Instructions = update.Instructions ?? current.Instructions,
            OutputModalities = update.OutputModalities ?? current.OutputModalities,
            InputFormat = inputFormat,
            OutputFormat = outputFormat,
            Transcription = input is not null && input.Transcription.IsPresent ? input.Transcription.Value : current.Transcription,
            TurnDetection = turnDetection,
            Voice = voice,
            Tools = update.Tools ?? current.Tools,
            ToolChoice = update.ToolChoice ?? current.ToolChoice,
            Extras = extras,
        };
        return (next, null);
    }

    private static SessionUpdateError FormatError(RealtimeAudioFormat format, string param) =>
        format.Type == RealtimeAudioFormat.PcmType
            ? new SessionUpdateError("invalid_value", $"Invalid value: {format.Rate}. audio/pcm supports only a rate of 24000.", param + ".rate")
            : new SessionUpdateError("invalid_value", $"Invalid value: '{format.Type}'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.", param + ".type");

    private static SessionUpdateError? ValidateTurnDetection(RealtimeTurnDetection vad)
    {
        const string Param = "session.audio.input.turn_detection";
        if (vad.Type is not (RealtimeTurnDetection.ServerVad or RealtimeTurnDetection.SemanticVad))
        {
            return new SessionUpdateError("invalid_value", $"Invalid value: '{vad.Type}'. Supported values are: 'server_vad' and 'semantic_vad'.", Param + ".type");
        }

        if (vad.Threshold is < 0 or > 1)
        {
            return new SessionUpdateError("invalid_value", "threshold must be between 0 and 1.", Param + ".threshold");
        }

        if (vad.SilenceDurationMs is < 0 || vad.PrefixPaddingMs is < 0)
        {
            return new SessionUpdateError("invalid_value", "Durations must not be negative.", Param);
        }

        return vad.Eagerness is null or "low" or "medium" or "high" or "auto"
            ? null
            : new SessionUpdateError("invalid_value", $"Invalid value: '{vad.Eagerness}'. Supported values are: 'low', 'medium', 'high', and 'auto'.", Param + ".eagerness");
    }

    // The API rejects fields it does not know (unknown_parameter, param = dotted path); fields it knows but the
    // simulator does not model are accepted.
    private static string? FirstUnknownField(RealtimeSession session)
    {
        static string? Unknown(RealtimeJsonObject? value, string path, params string[] allowed)
        {
            foreach (var key in value?.ExtensionData?.Keys ?? Enumerable.Empty<string>())
            {
                if (!allowed.Contains(key))
                {
                    return path + "." + key;
                }
            }

            return null;
        }

        foreach (var key in session.ExtensionData?.Keys ?? Enumerable.Empty<string>())
        {
            if (!AcceptedSessionExtras.Contains(key))
            {
                return "session." + key;
            }
        }

        var input = session.Audio?.Input;
        var output = session.Audio?.Output;
        return Unknown(session.Audio, "session.audio")
            ?? Unknown(input, "session.audio.input", "noise_reduction")
            ?? Unknown(input?.Format, "session.audio.input.format")
            ?? Unknown(input?.Transcription.Value, "session.audio.input.transcription")
            ?? Unknown(input?.TurnDetection.Value, "session.audio.input.turn_detection", "idle_timeout_ms")
            ?? Unknown(output, "session.audio.output", "speed")
            ?? Unknown(output?.Format, "session.audio.output.format")
            ?? session.Tools?.Select((t, i) => Unknown(t, $"session.tools[{i}]", "strict")).FirstOrDefault(p => p is not null);
    }

    private static string? ReadEventId(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("event_id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private sealed record SessionUpdateError(string Code, string Message, string Param);
}
