namespace VoiceBridge.Server.Audit;

/// <summary>The file operations of the file sink; a seam so tests can make the disk fail and recover.</summary>
internal interface IAuditFileSystem
{
    void CreateDirectory(string path);

    bool Exists(string path);

    /// <summary>Creates a file that must not exist yet, for writing (others may read it while it grows).</summary>
    Stream CreateNew(string path);

    /// <summary>Opens an existing file for writing, to continue it after a failed write.</summary>
    Stream OpenExisting(string path);

    /// <summary>Flushes <paramref name="file"/> through the OS cache to the device (fsync).</summary>
    void FlushToDisk(Stream file);
}
