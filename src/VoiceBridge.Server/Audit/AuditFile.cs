namespace VoiceBridge.Server.Audit;

/// <summary>One call's file: its path, the open stream (null after a failure) and how many bytes are known good.</summary>
internal sealed class AuditFile(string path)
{
    public string Path { get; } = path;

    public Stream? Stream { get; set; }

    /// <summary>Bytes written and fsynced; a retry first cuts the file back to this length (a failed write may have left a partial line).</summary>
    public long DurableLength { get; set; }
}
