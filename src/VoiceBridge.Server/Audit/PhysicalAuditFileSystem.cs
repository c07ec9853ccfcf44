namespace VoiceBridge.Server.Audit;

internal sealed class PhysicalAuditFileSystem : IAuditFileSystem
{
    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public bool Exists(string path) => File.Exists(path);

    // No FileStream buffer: the writer hands over one span per call per commit.
    public Stream CreateNew(string path) => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);

    public Stream OpenExisting(string path) => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);

    public void FlushToDisk(Stream file)
    {
        if (file is FileStream stream)
        {
            stream.Flush(flushToDisk: true);
        }
        else
        {
            file.Flush();
        }
    }
}
