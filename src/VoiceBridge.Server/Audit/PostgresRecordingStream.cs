using Npgsql;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The write side of one recording in <see cref="PostgresRecordingStore"/>: written to in memory by the WAV writer,
/// each flush (every ten half-second chunks, and the end) becomes one row. Forward-only: the WAV header keeps its
/// "unknown" sizes, set when read back. A failed insert surfaces as an <see cref="IOException"/>, which stops the
/// recording (never the call) like a failing disk.
/// </summary>
internal sealed class PostgresRecordingStream(PostgresRecordingStore store, string name) : Stream
{
    private readonly MemoryStream _pending = new();
    private int _seq;
    private bool _disposed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _pending.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    // Only the asynchronous flush reaches the database; the WAV writer flushes asynchronously.
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        try
        {
            await store.AppendAsync(name, _seq, _pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            throw new IOException("PostgreSQL: " + ex.Message, ex);
        }

        _seq++;
        _pending.SetLength(0);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _disposed = true;
                await _pending.DisposeAsync().ConfigureAwait(false);
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            // Reached only when disposed synchronously (the recording disposes asynchronously): what is pending is dropped.
            _disposed = true;
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
