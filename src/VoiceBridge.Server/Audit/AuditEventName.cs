using System.Text;
using System.Text.Json;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The record type of an event crossing a leg: Realtime <c>type</c> or Twilio <c>event</c>. Known names come from a
/// table (no allocation per frame); an unknown name is read once per event, capped in length.
/// </summary>
internal static class AuditEventName
{
    public const string Unparsed = "unparsed";
    public const string Binary = "binary";

    private const int MaxNameLength = 80;

    private static readonly (byte[] Utf8, string Name)[] Known = Build(
        "media", "mark", "clear", "start", "stop", "connected", "dtmf",
        RealtimeEventTypes.SessionUpdate, RealtimeEventTypes.InputAudioBufferAppend, RealtimeEventTypes.InputAudioBufferCommit,
        RealtimeEventTypes.InputAudioBufferClear, RealtimeEventTypes.ConversationItemCreate, RealtimeEventTypes.ConversationItemTruncate,
        RealtimeEventTypes.ResponseCreate, RealtimeEventTypes.ResponseCancel, RealtimeEventTypes.Error, RealtimeEventTypes.SessionCreated,
        RealtimeEventTypes.SessionUpdated, RealtimeEventTypes.InputAudioBufferSpeechStarted, RealtimeEventTypes.InputAudioBufferSpeechStopped,
        RealtimeEventTypes.InputAudioBufferCommitted, RealtimeEventTypes.InputAudioBufferCleared, RealtimeEventTypes.ConversationItemAdded,
        RealtimeEventTypes.ConversationItemDone, RealtimeEventTypes.ConversationItemTruncated, RealtimeEventTypes.InputAudioTranscriptionDelta,
        RealtimeEventTypes.InputAudioTranscriptionCompleted, RealtimeEventTypes.InputAudioTranscriptionFailed, RealtimeEventTypes.ResponseCreated,
        RealtimeEventTypes.ResponseDone, RealtimeEventTypes.ResponseOutputItemAdded, RealtimeEventTypes.ResponseOutputItemDone,
        RealtimeEventTypes.ResponseContentPartAdded, RealtimeEventTypes.ResponseContentPartDone, RealtimeEventTypes.ResponseOutputAudioDelta,
        RealtimeEventTypes.ResponseOutputAudioDone, RealtimeEventTypes.ResponseOutputAudioTranscriptDelta,
        RealtimeEventTypes.ResponseOutputAudioTranscriptDone, RealtimeEventTypes.ResponseFunctionCallArgumentsDelta,
        RealtimeEventTypes.ResponseFunctionCallArgumentsDone, RealtimeEventTypes.OutputAudioBufferStarted, RealtimeEventTypes.OutputAudioBufferStopped,
        RealtimeEventTypes.OutputAudioBufferCleared, "rate_limits.updated", "conversation.created");

    /// <summary>The top-level <c>type</c> (Realtime) or <c>event</c> (Twilio) string; <see cref="Unparsed"/> when there is none.</summary>
    public static string Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Unparsed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("type"u8) || reader.ValueTextEquals("event"u8);
                reader.Read();
                if (isName && reader.TokenType == JsonTokenType.String)
                {
                    return Lookup(ref reader);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return Unparsed;
    }

    private static string Lookup(ref Utf8JsonReader reader)
    {
        foreach (var (utf8, name) in Known)
        {
            if (reader.ValueTextEquals(utf8))
            {
                return name;
            }
        }

        var text = reader.GetString()!;
        return text.Length > MaxNameLength ? text[..MaxNameLength] : text;
    }

    private static (byte[], string)[] Build(params string[] names) => [.. names.Select(name => (Encoding.UTF8.GetBytes(name), name))];
}
