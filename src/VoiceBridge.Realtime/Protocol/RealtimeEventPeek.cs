using System.Text;
using System.Text.Json;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// Reads only the top-level <c>type</c> of a frame with <see cref="Utf8JsonReader"/>: no allocation, no parse of
/// the rest. Used to route a frame to the fast path (audio) or the slow path (everything else).
/// </summary>
public static class RealtimeEventPeek
{
    // Hot types first: a frame is almost always an append or an audio delta.
    private static readonly (byte[] Name, RealtimeEventType Type)[] Table = Build(
        (RealtimeEventTypes.InputAudioBufferAppend, RealtimeEventType.InputAudioBufferAppend),
        (RealtimeEventTypes.ResponseOutputAudioDelta, RealtimeEventType.ResponseOutputAudioDelta),
        (RealtimeEventTypes.ResponseOutputAudioTranscriptDelta, RealtimeEventType.ResponseOutputAudioTranscriptDelta),
        (RealtimeEventTypes.BetaResponseAudioDelta, RealtimeEventType.ResponseOutputAudioDelta),
        (RealtimeEventTypes.BetaResponseAudioTranscriptDelta, RealtimeEventType.ResponseOutputAudioTranscriptDelta),
        (RealtimeEventTypes.ResponseFunctionCallArgumentsDelta, RealtimeEventType.ResponseFunctionCallArgumentsDelta),
        (RealtimeEventTypes.InputAudioTranscriptionDelta, RealtimeEventType.InputAudioTranscriptionDelta),
        (RealtimeEventTypes.SessionUpdate, RealtimeEventType.SessionUpdate),
        (RealtimeEventTypes.InputAudioBufferCommit, RealtimeEventType.InputAudioBufferCommit),
        (RealtimeEventTypes.InputAudioBufferClear, RealtimeEventType.InputAudioBufferClear),
        (RealtimeEventTypes.ConversationItemCreate, RealtimeEventType.ConversationItemCreate),
        (RealtimeEventTypes.ConversationItemTruncate, RealtimeEventType.ConversationItemTruncate),
        (RealtimeEventTypes.ResponseCreate, RealtimeEventType.ResponseCreate),
        (RealtimeEventTypes.ResponseCancel, RealtimeEventType.ResponseCancel),
        (RealtimeEventTypes.Error, RealtimeEventType.Error),
        (RealtimeEventTypes.SessionCreated, RealtimeEventType.SessionCreated),
        (RealtimeEventTypes.SessionUpdated, RealtimeEventType.SessionUpdated),
        (RealtimeEventTypes.InputAudioBufferSpeechStarted, RealtimeEventType.InputAudioBufferSpeechStarted),
        (RealtimeEventTypes.InputAudioBufferSpeechStopped, RealtimeEventType.InputAudioBufferSpeechStopped),
        (RealtimeEventTypes.InputAudioBufferCommitted, RealtimeEventType.InputAudioBufferCommitted),
        (RealtimeEventTypes.InputAudioBufferCleared, RealtimeEventType.InputAudioBufferCleared),
        (RealtimeEventTypes.ConversationItemAdded, RealtimeEventType.ConversationItemAdded),
        (RealtimeEventTypes.BetaConversationItemCreated, RealtimeEventType.ConversationItemAdded),
        (RealtimeEventTypes.ConversationItemDone, RealtimeEventType.ConversationItemDone),
        (RealtimeEventTypes.ConversationItemTruncated, RealtimeEventType.ConversationItemTruncated),
        (RealtimeEventTypes.InputAudioTranscriptionCompleted, RealtimeEventType.InputAudioTranscriptionCompleted),
        (RealtimeEventTypes.InputAudioTranscriptionFailed, RealtimeEventType.InputAudioTranscriptionFailed),
        (RealtimeEventTypes.ResponseCreated, RealtimeEventType.ResponseCreated),
        (RealtimeEventTypes.ResponseDone, RealtimeEventType.ResponseDone),
        (RealtimeEventTypes.ResponseOutputItemAdded, RealtimeEventType.ResponseOutputItemAdded),
        (RealtimeEventTypes.ResponseOutputItemDone, RealtimeEventType.ResponseOutputItemDone),
        (RealtimeEventTypes.ResponseContentPartAdded, RealtimeEventType.ResponseContentPartAdded),
        (RealtimeEventTypes.ResponseContentPartDone, RealtimeEventType.ResponseContentPartDone),
        (RealtimeEventTypes.ResponseOutputAudioDone, RealtimeEventType.ResponseOutputAudioDone),
        (RealtimeEventTypes.BetaResponseAudioDone, RealtimeEventType.ResponseOutputAudioDone),
        (RealtimeEventTypes.ResponseOutputAudioTranscriptDone, RealtimeEventType.ResponseOutputAudioTranscriptDone),
        (RealtimeEventTypes.BetaResponseAudioTranscriptDone, RealtimeEventType.ResponseOutputAudioTranscriptDone),
        (RealtimeEventTypes.ResponseFunctionCallArgumentsDone, RealtimeEventType.ResponseFunctionCallArgumentsDone),
        (RealtimeEventTypes.OutputAudioBufferStarted, RealtimeEventType.OutputAudioBufferStarted),
        (RealtimeEventTypes.OutputAudioBufferStopped, RealtimeEventType.OutputAudioBufferStopped),
        (RealtimeEventTypes.OutputAudioBufferCleared, RealtimeEventType.OutputAudioBufferCleared),
        (RealtimeEventTypes.OutputAudioBufferClear, RealtimeEventType.OutputAudioBufferClear));

    /// <summary>
    /// Finds the top-level <c>type</c>. Returns false when the frame is not a JSON object with a string
    /// <c>type</c>; an unmodelled type returns true with <see cref="RealtimeEventType.Unknown"/>.
    /// </summary>
    public static bool TryPeek(ReadOnlySpan<byte> utf8Json, out RealtimeEventType type)
    {
        type = RealtimeEventType.Unknown;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return false;
                }

                type = Lookup(ref reader);
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Maps a type name (GA or beta) to its enum member; <see cref="RealtimeEventType.Unknown"/> otherwise.</summary>
    public static RealtimeEventType FromName(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        Span<byte> utf8 = stackalloc byte[128];
        if (!Encoding.UTF8.TryGetBytes(typeName, utf8, out var written))
        {
            return RealtimeEventType.Unknown;
        }

        foreach (var entry in Table)
        {
            if (utf8[..written].SequenceEqual(entry.Name))
            {
                return entry.Type;
            }
        }

        return RealtimeEventType.Unknown;
    }

    /// <summary>True when <paramref name="typeName"/> is a retired beta name (read, never written).</summary>
    public static bool IsBetaName(string typeName) => typeName is RealtimeEventTypes.BetaResponseAudioDelta
        or RealtimeEventTypes.BetaResponseAudioDone or RealtimeEventTypes.BetaResponseAudioTranscriptDelta
        or RealtimeEventTypes.BetaResponseAudioTranscriptDone or RealtimeEventTypes.BetaConversationItemCreated;

    private static RealtimeEventType Lookup(ref Utf8JsonReader reader)
    {
        foreach (var entry in Table)
        {
            if (reader.ValueTextEquals(entry.Name))
            {
                return entry.Type;
            }
        }

        return RealtimeEventType.Unknown;
    }

    private static (byte[], RealtimeEventType)[] Build(params (string Name, RealtimeEventType Type)[] entries)
    {
        var table = new (byte[], RealtimeEventType)[entries.Length];
        for (var i = 0; i < entries.Length; i++)
        {
            table[i] = (Encoding.UTF8.GetBytes(entries[i].Name), entries[i].Type);
        }

        return table;
    }
}
