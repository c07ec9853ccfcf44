using System.Buffers;
using System.Text.Json;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// Formats one process's index of calls: a trail of its own (same chain, same seal) whose records say which trail
/// file each call went to and, once it ended, how many records it has and its last hash. That is what lets
/// <c>voicebridge audit verify</c> tell a missing file, a truncated trail or a removed close record from a live call.
/// Not thread-safe: the file sink owns one.
/// </summary>
public sealed class AuditIndexWriter : IDisposable
{
    private readonly AuditChainWriter _chain;
    private readonly ArrayBufferWriter<byte> _event = new(256);
    private readonly Utf8JsonWriter _json;

    public AuditIndexWriter(AuditSigningKey? key)
    {
        _chain = new AuditChainWriter(key);
        _json = new Utf8JsonWriter(_event);
    }

    /// <summary>The index's header line (LF included); valid until the next write.</summary>
    public ReadOnlyMemory<byte> WriteHeader(DateTimeOffset started, string nonce) =>
        _chain.WriteHeader(new AuditHeader(AuditFormat.IndexTransport, AuditFormat.IndexTransport, started, nonce));

    /// <summary>A trail file was created; <paramref name="file"/> is relative to the audit directory, '/'-separated.</summary>
    public ReadOnlyMemory<byte> WriteOpened(DateTimeOffset timestamp, string callId, string file) =>
        Write(timestamp, AuditFormat.IndexOpenType, callId, file, records: null, lastHashHex: default);

    /// <summary>The call's close record is durable: its trail has <paramref name="records"/> records ending in this hash.</summary>
    public ReadOnlyMemory<byte> WriteClosed(DateTimeOffset timestamp, string callId, string file, long records, ReadOnlySpan<byte> lastHashHex) =>
        Write(timestamp, AuditFormat.IndexCloseType, callId, file, records, lastHashHex);

    /// <summary>The process stops with the call still open: what of its trail is durable.</summary>
    public ReadOnlyMemory<byte> WriteInterrupted(DateTimeOffset timestamp, string callId, string file, long records, ReadOnlySpan<byte> lastHashHex) =>
        Write(timestamp, AuditFormat.IndexInterruptedType, callId, file, records, lastHashHex);

    /// <summary>The index's own close record: the process stopped cleanly and every call it had is listed.</summary>
    public ReadOnlyMemory<byte> WriteClose(DateTimeOffset timestamp) => _chain.WriteClose(timestamp, "stopped");

    public bool IsClosed => _chain.IsClosed;

    public void Dispose()
    {
        _json.Dispose();
        _chain.Dispose();
    }

    private ReadOnlyMemory<byte> Write(DateTimeOffset timestamp, string type, string callId, string file, long? records, ReadOnlySpan<byte> lastHashHex)
    {
        _event.ResetWrittenCount();
        _json.Reset(_event);
        _json.WriteStartObject();
        _json.WriteString("call_id"u8, callId);
        _json.WriteString("file"u8, file);
        if (records is { } count)
        {
            _json.WriteNumber("records"u8, count);
            _json.WriteString("hash"u8, lastHashHex);
        }

        _json.WriteEndObject();
        _json.Flush();
        return _chain.WriteRecord(timestamp, AuditDirection.Bridge, type, _event.WrittenSpan);
    }
}
