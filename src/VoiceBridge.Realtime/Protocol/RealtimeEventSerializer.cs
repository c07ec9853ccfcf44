using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The slow path: parses any frame into a <see cref="RealtimeEvent"/> record and writes records back, through
/// <see cref="RealtimeJsonContext"/>. Per-frame audio events have a faster, allocation-free path in
/// <see cref="RealtimeAudioFrames"/>.
/// </summary>
public static class RealtimeEventSerializer
{
    /// <summary>
    /// Parses a frame. Unmodelled types become <see cref="UnknownRealtimeEvent"/> (kept byte-identical); beta names
    /// become their GA record. Returns false only for frames that are not a JSON object with a string <c>type</c>
    /// or whose known type has fields of the wrong shape.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out RealtimeEvent? value)
    {
        value = null;
        if (!RealtimeEventPeek.TryPeek(utf8Json, out var type))
        {
            return false;
        }

        try
        {
            value = type == RealtimeEventType.Unknown
                ? new UnknownRealtimeEvent(ReadTypeName(utf8Json), utf8Json)
                : (RealtimeEvent?)JsonSerializer.Deserialize(utf8Json, TypeInfoFor(type));
            return value is not null;
        }
        catch (JsonException)
        {
            value = null;
            return false;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 inside a string value (System.Text.Json cannot transcode it): a malformed frame, found
            // by the CsCheck fuzz tests. The WebSocket layer validates text frames, but this parser must not rely on it.
            value = null;
            return false;
        }
    }

    /// <summary>Writes <paramref name="value"/> as one JSON frame to <paramref name="output"/>.</summary>
    public static void Write(RealtimeEvent value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        if (value is UnknownRealtimeEvent unknown)
        {
            output.Write(unknown.Utf8Json.Span);
            return;
        }

        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, value, value.JsonTypeInfo!);
    }

    /// <summary>Serializes into a pooled <see cref="RealtimeMessage"/> (the caller owns it).</summary>
    public static RealtimeMessage ToMessage(RealtimeEvent value, RealtimeMessageKind kind = RealtimeMessageKind.Control)
    {
        var buffer = new PooledBufferWriter();
        try
        {
            Write(value, buffer);
            return buffer.DetachMessage(kind);
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Serializes to a new byte array (tests, logs of control events).</summary>
    public static byte[] ToUtf8Bytes(RealtimeEvent value)
    {
        using var message = ToMessage(value);
        return message.Span.ToArray();
    }

    private static string ReadTypeName(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.GetString() ?? string.Empty;
            }

            reader.Skip();
        }

        return string.Empty;
    }

    private static JsonTypeInfo TypeInfoFor(RealtimeEventType type)
    {
        var c = RealtimeJsonContext.Default;
        return type switch
        {
            RealtimeEventType.SessionUpdate => c.SessionUpdateEvent,
            RealtimeEventType.InputAudioBufferAppend => c.InputAudioBufferAppendEvent,
            RealtimeEventType.InputAudioBufferCommit => c.InputAudioBufferCommitEvent,
            RealtimeEventType.InputAudioBufferClear => c.InputAudioBufferClearEvent,
            RealtimeEventType.ConversationItemCreate => c.ConversationItemCreateEvent,
            RealtimeEventType.ConversationItemTruncate => c.ConversationItemTruncateEvent,
            RealtimeEventType.ResponseCreate => c.ResponseCreateEvent,
            RealtimeEventType.ResponseCancel => c.ResponseCancelEvent,
            RealtimeEventType.Error => c.ErrorEvent,
            RealtimeEventType.SessionCreated => c.SessionCreatedEvent,
            RealtimeEventType.SessionUpdated => c.SessionUpdatedEvent,
            RealtimeEventType.InputAudioBufferSpeechStarted => c.SpeechStartedEvent,
            RealtimeEventType.InputAudioBufferSpeechStopped => c.SpeechStoppedEvent,
            RealtimeEventType.InputAudioBufferCommitted => c.InputAudioBufferCommittedEvent,
            RealtimeEventType.InputAudioBufferCleared => c.InputAudioBufferClearedEvent,
            RealtimeEventType.ConversationItemAdded => c.ConversationItemAddedEvent,
            RealtimeEventType.ConversationItemDone => c.ConversationItemDoneEvent,
            RealtimeEventType.ConversationItemTruncated => c.ConversationItemTruncatedEvent,
            RealtimeEventType.InputAudioTranscriptionDelta => c.InputAudioTranscriptionDeltaEvent,
            RealtimeEventType.InputAudioTranscriptionCompleted => c.InputAudioTranscriptionCompletedEvent,
            RealtimeEventType.InputAudioTranscriptionFailed => c.InputAudioTranscriptionFailedEvent,
            RealtimeEventType.ResponseCreated => c.ResponseCreatedEvent,
            RealtimeEventType.ResponseDone => c.ResponseDoneEvent,
            RealtimeEventType.ResponseOutputItemAdded => c.ResponseOutputItemAddedEvent,
            RealtimeEventType.ResponseOutputItemDone => c.ResponseOutputItemDoneEvent,
            RealtimeEventType.ResponseContentPartAdded => c.ResponseContentPartAddedEvent,
            RealtimeEventType.ResponseContentPartDone => c.ResponseContentPartDoneEvent,
            RealtimeEventType.ResponseOutputAudioDelta => c.ResponseOutputAudioDeltaEvent,
            RealtimeEventType.ResponseOutputAudioDone => c.ResponseOutputAudioDoneEvent,
            RealtimeEventType.ResponseOutputAudioTranscriptDelta => c.ResponseOutputAudioTranscriptDeltaEvent,
            RealtimeEventType.ResponseOutputAudioTranscriptDone => c.ResponseOutputAudioTranscriptDoneEvent,
            RealtimeEventType.ResponseFunctionCallArgumentsDelta => c.ResponseFunctionCallArgumentsDeltaEvent,
            RealtimeEventType.ResponseFunctionCallArgumentsDone => c.ResponseFunctionCallArgumentsDoneEvent,
            RealtimeEventType.OutputAudioBufferStarted => c.OutputAudioBufferStartedEvent,
            RealtimeEventType.OutputAudioBufferStopped => c.OutputAudioBufferStoppedEvent,
            RealtimeEventType.OutputAudioBufferCleared => c.OutputAudioBufferClearedEvent,
            RealtimeEventType.OutputAudioBufferClear => c.OutputAudioBufferClearEvent,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a modelled event type."),
        };
    }
}
