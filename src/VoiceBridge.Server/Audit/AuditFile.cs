namespace VoiceBridge.Server.Audit;

/// <summary>One call's file: its path, the open stream (null after a failure) and how many bytes are known good.</summary>
internal sealed class AuditFile(string path, string relative = "")
{
    public string Path { get; } = path;

    /// <summary>The path relative to <c>Audit:Directory</c>, '/'-separated, as the index names it.</summary>
    public string Relative { get; } = relative;

    /// <summary>Records of the trail made durable so far, and the last one's hash: what the index says if the process stops.</summary>
    public long DurableRecords { get; set; }

    public byte[] DurableHash { get; } = new byte[Realtime.Audit.AuditFormat.HashHexLength];

    public Stream? Stream { get; set; }

    /// <summary>Bytes written and fsynced; a retry first cuts the file back to this length (a failed write may have left a partial line).</summary>
    public long DurableLength { get; set; }
}
