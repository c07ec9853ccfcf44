using System.Buffers;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The writer's side of one call: the formatted lines it took from the call and has not committed yet. Writer thread
/// only; the call keeps formatting into its own buffer meanwhile (<see cref="CallAudit"/>).
/// </summary>
internal sealed class AuditCallState(CallAudit call, AuditHeader header)
{
    /// <summary>Type stored for the header row (sequence 0) in the database sink.</summary>
    public const string HeaderType = "audit.header";

    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly List<AuditPendingLine> _lines = [];
    private readonly byte[] _lastHash = new byte[AuditFormat.HashHexLength];

    public CallAudit Call { get; } = call;

    public AuditHeader Header { get; } = header;

    /// <summary>The close record is among the lines taken; once committed the call is done.</summary>
    public bool Closing { get; set; }

    /// <summary>Sequence number of the last line taken (0: the header).</summary>
    public long LastSeq { get; private set; }

    /// <summary>Lower-case hex hash of the last line taken: what the file sink's index records once it is durable.</summary>
    public ReadOnlySpan<byte> LastHashHex => _lastHash;

    /// <summary>Exact bytes to append (whole lines, LF included).</summary>
    public ReadOnlyMemory<byte> PendingBytes => _pending.WrittenMemory;

    public IReadOnlyList<AuditPendingLine> PendingLines => _lines;

    public bool HasPending => _pending.WrittenCount > 0;

    /// <summary>Takes a batch of the call's lines (<paramref name="lines"/> positions are within <paramref name="bytes"/>).</summary>
    public void Append(ReadOnlySpan<byte> bytes, List<AuditPendingLine> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }

        var offset = _pending.WrittenCount;
        foreach (var line in lines)
        {
            _lines.Add(line with { Start = line.Start + offset });
        }

        _pending.Write(bytes);
        var last = lines[^1];
        LastSeq = last.Seq;
        // A line ends with "hash":"<hex>"} (LF excluded from its length; see AuditFormat).
        bytes.Slice(last.Start + last.Length - AuditFormat.HashHexLength - 2, AuditFormat.HashHexLength).CopyTo(_lastHash);
    }

    /// <summary>Takes one formatted line (LF included).</summary>
    public void Append(ReadOnlySpan<byte> line, long seq, DateTimeOffset timestamp, AuditDirection direction, string type) =>
        Append(line, [new AuditPendingLine(seq, timestamp, direction, type, 0, line.Length - 1)]);

    /// <summary>The sink made every pending line durable.</summary>
    public void Committed()
    {
        _pending.ResetWrittenCount();
        _lines.Clear();
    }
}
