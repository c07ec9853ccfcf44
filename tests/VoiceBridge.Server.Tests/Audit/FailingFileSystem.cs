using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>The real file system, except that while <see cref="Failing"/> every write stores half its bytes and then throws, like a full disk.</summary>
internal sealed class FailingFileSystem : IAuditFileSystem
{
    private readonly PhysicalAuditFileSystem _disk = new();
    private readonly TaskCompletionSource _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public volatile bool Failing;

    /// <summary>Completes when a write first failed.</summary>
    public Task FirstFailure => _failed.Task;

    public void CreateDirectory(string path) => _disk.CreateDirectory(path);

    public bool Exists(string path) => _disk.Exists(path);

    public Stream CreateNew(string path) => new FailingStream(this, _disk.CreateNew(path));

    public Stream OpenExisting(string path) => new FailingStream(this, _disk.OpenExisting(path));

    public void FlushToDisk(Stream file) => _disk.FlushToDisk(((FailingStream)file).Inner);

    private sealed class FailingStream(FailingFileSystem owner, Stream inner) : Stream
    {
        public Stream Inner => inner;

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (owner.Failing)
            {
                inner.Write(buffer[..(buffer.Length / 2)]);
                owner._failed.TrySetResult();
                throw new IOException("No space left on device");
            }

            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
