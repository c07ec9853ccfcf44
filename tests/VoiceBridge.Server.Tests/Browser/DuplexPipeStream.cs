using System.IO.Pipelines;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// One end of an in-memory connection made of two pipes. A pipe with a small pause threshold blocks its writer
/// once the reader stops reading: deterministic backpressure, without depending on kernel socket buffers.
/// </summary>
internal sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
{
    private readonly PipeReader _reader = input;
    private readonly PipeWriter _writer = output;
    private readonly Stream _input = input.AsStream();
    private readonly Stream _output = output.AsStream();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public static (Stream Server, Stream Client) CreatePair(long clientReadBufferBytes)
    {
        var toServer = new Pipe();
        var toClient = new Pipe(new PipeOptions(pauseWriterThreshold: clientReadBufferBytes, resumeWriterThreshold: clientReadBufferBytes / 2));
        return (new DuplexPipeStream(toServer.Reader, toClient.Writer), new DuplexPipeStream(toClient.Reader, toServer.Writer));
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _input.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override void Flush() => _output.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Like a socket's close: wake a pending read or a flush stuck on a full pipe (Complete alone does not).
            _reader.CancelPendingRead();
            _writer.CancelPendingFlush();
            _input.Dispose();
            _output.Dispose();
        }

        base.Dispose(disposing);
    }
}
