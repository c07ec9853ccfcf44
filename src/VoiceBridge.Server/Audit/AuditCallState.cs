using System.Buffers;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>The writer's side of one call: its chain and the lines formatted since the last commit. Writer thread only.</summary>
internal sealed class AuditCallState(CallAudit call, AuditHeader header, AuditSigningKey? key = null) : IDisposable
{
    /// <summary>Type stored for the header row (sequence 0) in the database sink.</summary>
    public const string HeaderType = "audit.header";

    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly List<AuditPendingLine> _lines = [];

    public CallAudit Call { get; } = call;

    public AuditHeader Header { get; } = header;

    public AuditChainWriter Chain { get; } = new(key);

    /// <summary>The close record is formatted; once committed the call is done.</summary>
    public bool Closing { get; set; }

    /// <summary>Exact bytes to append (whole lines, LF included).</summary>
    public ReadOnlyMemory<byte> PendingBytes => _pending.WrittenMemory;

    public IReadOnlyList<AuditPendingLine> PendingLines => _lines;

    public bool HasPending => _pending.WrittenCount > 0;

    public void Append(ReadOnlySpan<byte> line, DateTimeOffset timestamp, AuditDirection direction, string type)
    {
        _lines.Add(new AuditPendingLine(Chain.LastSeq, timestamp, direction, type, _pending.WrittenCount, line.Length - 1));
        _pending.Write(line);
    }

    /// <summary>The sink made every pending line durable.</summary>
    public void Committed()
    {
        _pending.ResetWrittenCount();
        _lines.Clear();
    }

    public void Dispose() => Chain.Dispose();
}
