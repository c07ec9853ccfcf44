using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// Formats one call's header and records as audit lines (see <see cref="AuditFormat"/>) and keeps the chain:
/// sequence numbers and the previous line's hash. With a <see cref="AuditSigningKey"/> the trail is sealed (format
/// version 2: every line's hash is HMAC-SHA256 under the key); without one it is a plain SHA-256 chain (version 1).
/// Not thread-safe: the audit writer owns one per call.
/// </summary>
public sealed class AuditChainWriter : IDisposable
{
    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private readonly ArrayBufferWriter<byte> _scratch = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly byte[] _prevHex = new byte[AuditFormat.HashHexLength];
    private readonly AuditSigningKey? _key;

    // One HMAC state per call, reset by every line: no allocation per record.
    private readonly IncrementalHash? _mac;
    private bool _headerWritten;
    private bool _closed;

    public AuditChainWriter(AuditSigningKey? key = null)
    {
        // Validation off: the line is left open after "prev" so the hash suffix can be appended by hand.
        _json = new Utf8JsonWriter(_line, new JsonWriterOptions { SkipValidation = true });
        _key = key;
        _mac = key is null ? null : IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Bytes);
    }

    public void Dispose()
    {
        _json.Dispose();
        _mac?.Dispose();
    }

    /// <summary>Whether the lines are sealed (HMAC-SHA256) rather than plainly hashed.</summary>
    public bool IsSealed => _key is not null;

    /// <summary>Sequence number of the last record written (0 after the header).</summary>
    public long LastSeq { get; private set; }

    public bool IsClosed => _closed;

    /// <summary>Lower-case hex SHA-256 of the last line written (what the next record's <c>prev</c> is).</summary>
    public ReadOnlySpan<byte> LastHashHex => _prevHex;

    /// <summary>The header line including its LF; valid until the next write.</summary>
    public ReadOnlyMemory<byte> WriteHeader(AuditHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (_headerWritten)
        {
            throw new InvalidOperationException("The header is written once, first.");
        }

        Begin();
        _json.WriteString("format"u8, AuditFormat.FormatName);
        _json.WriteNumber("version"u8, _key is null ? AuditFormat.Version : AuditFormat.SealedVersion);
        if (_key is not null)
        {
            _json.WriteString("seal"u8, AuditFormat.SealAlgorithm);
            _json.WriteString("kid"u8, _key.Id);
        }

        _json.WriteString("call_id"u8, header.CallId);
        _json.WriteString("transport"u8, header.Transport);
        WriteTimestamp("started"u8, header.Started);
        _json.WriteString("nonce"u8, header.Nonce);
        _headerWritten = true;
        return End();
    }

    /// <summary>
    /// One record. <paramref name="eventJson"/> is embedded verbatim when it is valid JSON (line breaks between tokens
    /// become spaces so the record stays one line); otherwise it is kept as <c>{"unparsed_base64":…}</c>.
    /// Returns the line including its LF; valid until the next write.
    /// </summary>
    public ReadOnlyMemory<byte> WriteRecord(DateTimeOffset timestamp, AuditDirection direction, string type, ReadOnlySpan<byte> eventJson)
    {
        BeginRecord(timestamp, direction, type);
        _json.WritePropertyName("event"u8);
        WriteEvent(eventJson);
        return EndRecord();
    }

    /// <summary>
    /// An audio event with its base64 payload replaced by <c>{bytes, offset, sha256}</c> (<see cref="AuditAudio"/>).
    /// </summary>
    public ReadOnlyMemory<byte> WriteAudioRecord(DateTimeOffset timestamp, AuditDirection direction, string type, ReadOnlySpan<byte> eventJson, long recordingOffset)
    {
        _scratch.ResetWrittenCount();
        if (!AuditAudio.TryRewrite(eventJson, recordingOffset, _scratch, out _))
        {
            return WriteRecord(timestamp, direction, type, eventJson);
        }

        BeginRecord(timestamp, direction, type);
        _json.WritePropertyName("event"u8);
        _json.WriteRawValue(_scratch.WrittenSpan, skipInputValidation: true);
        return EndRecord();
    }

    /// <summary>
    /// As <see cref="WriteAudioRecord(DateTimeOffset, AuditDirection, string, ReadOnlySpan{byte}, long)"/> for an event
    /// whose payload is already decoded (<paramref name="decoded"/>): the same record, without decoding the base64 again.
    /// </summary>
    public ReadOnlyMemory<byte> WriteAudioRecord(DateTimeOffset timestamp, AuditDirection direction, string type, ReadOnlySpan<byte> eventJson, ReadOnlySpan<byte> decoded, long recordingOffset)
    {
        _scratch.ResetWrittenCount();
        if (!AuditAudio.TryRewrite(eventJson, recordingOffset, decoded, _scratch, out _))
        {
            return WriteRecord(timestamp, direction, type, eventJson);
        }

        BeginRecord(timestamp, direction, type);
        _json.WritePropertyName("event"u8);
        _json.WriteRawValue(_scratch.WrittenSpan, skipInputValidation: true);
        return EndRecord();
    }

    /// <summary>The record that marks the call complete; no record may follow it.</summary>
    public ReadOnlyMemory<byte> WriteClose(DateTimeOffset timestamp, string endReason)
    {
        BeginRecord(timestamp, AuditDirection.Bridge, AuditFormat.CloseType);
        _json.WritePropertyName("event"u8);
        _json.WriteStartObject();
        _json.WriteString("end_reason"u8, endReason);
        _json.WriteNumber("records"u8, LastSeq);
        _json.WriteEndObject();
        var line = EndRecord();
        _closed = true;
        return line;
    }

    private void BeginRecord(DateTimeOffset timestamp, AuditDirection direction, string type)
    {
        if (!_headerWritten || _closed)
        {
            throw new InvalidOperationException(_closed ? "The call's audit is closed." : "The header comes first.");
        }

        Begin();
        LastSeq++;
        _json.WriteNumber("seq"u8, LastSeq);
        WriteTimestamp("ts"u8, timestamp);
        _json.WriteString("dir"u8, AuditFormat.Name(direction));
        _json.WriteString("type"u8, type);
    }

    private ReadOnlyMemory<byte> EndRecord()
    {
        _json.WriteString("prev"u8, _prevHex);
        return End();
    }

    private void Begin()
    {
        _line.ResetWrittenCount();
        _json.Reset(_line);
        _json.WriteStartObject();
    }

    private ReadOnlyMemory<byte> End()
    {
        // The object is still open: everything so far is what the hash covers.
        _json.Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        if (_mac is null)
        {
            SHA256.HashData(_line.WrittenSpan, hash);
        }
        else
        {
            _mac.AppendData(_line.WrittenSpan);
            _mac.GetHashAndReset(hash);
        }

        AuditFormat.WriteHex(hash, _prevHex);
        _line.Write(AuditFormat.HashSuffixStart);
        _line.Write(_prevHex);
        _line.Write(AuditFormat.HashSuffixEnd);
        _line.Write("\n"u8);
        return _line.WrittenMemory;
    }

    private void WriteTimestamp(ReadOnlySpan<byte> name, DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[32];
        value.UtcDateTime.TryFormat(text, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        _json.WriteString(name, text[..written]);
    }

    private void WriteEvent(ReadOnlySpan<byte> eventJson)
    {
        if (!IsValidJson(eventJson))
        {
            _json.WriteStartObject();
            _json.WriteBase64String("unparsed_base64"u8, eventJson);
            _json.WriteEndObject();
            return;
        }

        if (eventJson.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            // JSON strings cannot hold a raw CR or LF, so every one is whitespace between tokens: a space keeps the
            // event equivalent and the record on one line.
            _scratch.ResetWrittenCount();
            var copy = _scratch.GetSpan(eventJson.Length)[..eventJson.Length];
            eventJson.CopyTo(copy);
            copy.Replace((byte)'\n', (byte)' ');
            copy.Replace((byte)'\r', (byte)' ');
            _json.WriteRawValue(copy, skipInputValidation: true);
            return;
        }

        _json.WriteRawValue(eventJson, skipInputValidation: true);
    }

    private static bool IsValidJson(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return false;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            // Reads every token: a truncated or malformed caller frame is audited as bytes instead of breaking the line.
            while (reader.Read())
            {
            }

            return reader.BytesConsumed == json.Length || json[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
