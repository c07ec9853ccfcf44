using System.Text.Json;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// Reads a stored trail for the admin API: the verified prefix only (a reader must never be shown a record the chain
/// does not vouch for), the recording it names, and the heard transcript it implies.
/// </summary>
internal static class AuditTrailText
{
    private const int MaxCallIdLength = 100;

    private static readonly System.Buffers.SearchValues<char> IdCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    /// <summary>Call ids are CallSids (<c>CA</c> + hex) and session ids (<c>browser_</c> + hex): nothing else reaches a path or a query.</summary>
    public static bool IsValidCallId(string id) =>
        id.Length is > 0 and <= MaxCallIdLength && id.AsSpan().IndexOfAnyExcept(IdCharacters) < 0;

    /// <summary>
    /// The transcript of the trail's verified records: what the caller heard, and with <paramref name="includeUnheard"/>
    /// also the words of each cut turn that were generated but never played (<see cref="HeardTurn.NeverHeard"/>).
    /// </summary>
    public static CallTranscript Transcript(string callId, ReadOnlySpan<byte> trail, IReadOnlyList<AuditSigningKey> keys, bool includeUnheard = false)
    {
        var verification = AuditVerifier.Verify(trail, keys);
        HeardTranscript? transcript = null;
        foreach (var record in Records(trail, verification.Records))
        {
            if (record.Type == CallRecorder.SessionType)
            {
                transcript = new HeardTranscript(ReadString(trail.Slice(record.EventStart, record.EventLength), "upstream_audio"u8) == "pcmu" ? 8 : 48);
                continue;
            }

            transcript ??= new HeardTranscript();
            transcript.Observe(record.Direction, trail.Slice(record.EventStart, record.EventLength));
        }

        var status = verification.Status switch
        {
            AuditFileStatus.Complete => "complete",
            AuditFileStatus.Incomplete => "incomplete",
            _ => "broken",
        };
        var turns = transcript?.Turns() ?? [];
        return new CallTranscript(callId, status, verification.Records, includeUnheard ? turns : [.. turns.Select(t => t.AsHeard())]);
    }

    /// <summary>The recording's path relative to <c>Audit:Directory</c>, from the trail's <c>audit.session</c> record.</summary>
    public static string? Recording(ReadOnlySpan<byte> trail, IReadOnlyList<AuditSigningKey> keys)
    {
        var verification = AuditVerifier.Verify(trail, keys);
        foreach (var record in Records(trail, Math.Min(verification.Records, 4)))
        {
            if (record.Type == CallRecorder.SessionType)
            {
                return ReadString(trail.Slice(record.EventStart, record.EventLength), "recording"u8);
            }
        }

        return null;
    }

    private static List<TrailRecord> Records(ReadOnlySpan<byte> trail, long count)
    {
        var records = new List<TrailRecord>();
        var position = 0;
        var line = 0;
        while (records.Count < count && position < trail.Length)
        {
            var end = trail[position..].IndexOf((byte)'\n');
            var length = end < 0 ? trail.Length - position : end;
            if (line++ > 0 && Parse(trail.Slice(position, length), position) is { } record)
            {
                records.Add(record);
            }

            position += length + 1;
        }

        return records;
    }

    private static TrailRecord? Parse(ReadOnlySpan<byte> line, int lineStart)
    {
        var reader = new Utf8JsonReader(line);
        string? type = null;
        var direction = AuditDirection.Bridge;
        int eventStart = -1, eventLength = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetString();
            }
            else if (reader.ValueTextEquals("dir"u8))
            {
                reader.Read();
                direction = reader.GetString() switch
                {
                    "caller_in" => AuditDirection.CallerIn,
                    "caller_out" => AuditDirection.CallerOut,
                    "upstream_in" => AuditDirection.UpstreamIn,
                    "upstream_out" => AuditDirection.UpstreamOut,
                    _ => AuditDirection.Bridge,
                };
            }
            else if (reader.ValueTextEquals("event"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                eventStart = lineStart + start;
                eventLength = (int)reader.BytesConsumed - start;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return type is null || eventStart < 0 ? null : new TrailRecord(type, direction, eventStart, eventLength);
    }

    private static string? ReadString(ReadOnlySpan<byte> json, ReadOnlySpan<byte> property)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var match = reader.ValueTextEquals(property);
            reader.Read();
            if (match)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }

    private readonly record struct TrailRecord(string Type, AuditDirection Direction, int EventStart, int EventLength);
}
