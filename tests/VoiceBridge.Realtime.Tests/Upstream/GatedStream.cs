using System.Text;

namespace VoiceBridge.Realtime.Tests.Upstream;

/// <summary>
/// The write side of a socket whose kernel buffer can be made full: while closed, a write stays pending until
/// <see cref="Open"/>. Keeps what was written and reads it back as the (unmasked, server-side) WebSocket text frames.
/// </summary>
internal sealed class GatedStream : Stream
{
    private readonly Lock _gate = new();
    private readonly MemoryStream _written = new();
    private TaskCompletionSource _open = Opened();

    public int Writes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }


    public void Block()
    {
        lock (_gate)
        {
            if (_open.Task.IsCompleted)
            {
                _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Open()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Task open;
        lock (_gate)
        {
            open = _open.Task;
        }

        await open.WaitAsync(cancellationToken);
        lock (_gate)
        {
            Writes++;
            _written.Write(buffer.Span);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    // Nothing arrives on this socket: only its send side is under test.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The text payloads written so far, in order (frames of a server-side socket are not masked).</summary>
    public List<string> TextFrames()
    {
        byte[] bytes;
        lock (_gate)
        {
            bytes = _written.ToArray();
        }

        var frames = new List<string>();
        var i = 0;
        while (i + 2 <= bytes.Length)
        {
            var opcode = bytes[i] & 0x0F;
            long length = bytes[i + 1] & 0x7F;
            i += 2;
            if (length == 126)
            {
                length = (bytes[i] << 8) | bytes[i + 1];
                i += 2;
            }
            else if (length == 127)
            {
                length = 0;
                for (var k = 0; k < 8; k++)
                {
                    length = (length << 8) | bytes[i + k];
                }

                i += 8;
            }

            if (opcode == 1)
            {
                frames.Add(Encoding.UTF8.GetString(bytes, i, (int)length));
            }

            i += (int)length;
        }

        return frames;
    }

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
