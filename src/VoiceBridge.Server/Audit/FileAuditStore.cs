using System.Buffers;
using System.Globalization;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The embedded sink: one append-only JSON-lines file per call, <c>&lt;Audit:Directory&gt;/yyyy-MM-dd/&lt;call id&gt;.jsonl</c>
/// (UTC day the call started). Each commit writes each call's pending lines in one write, then fsyncs the files
/// together (<see cref="AuditFlushWorkers"/>).
/// </summary>
/// <remarks>
/// Beside the trails, each process keeps an index, <c>index/&lt;started&gt;-&lt;nonce&gt;.index</c>, itself a sealed
/// chain: a line when a call's file is created (made durable before the file), and one when its close record is
/// durable, with its record count and last hash. On a clean stop it lists the calls still open and closes. Without it,
/// a trail cut after any record, or a deleted file, would look like a call that is still running or never was.
/// </remarks>
internal sealed class FileAuditStore : IAuditStore
{
    // Enough fsyncs at once for the file system to fold them into few journal commits (AuditFlushWorkers); beyond
    // that the measured gain was small.
    private const int FlushThreads = 8;

    private readonly string _root;
    private readonly IAuditFileSystem _fileSystem;
    private readonly TimeProvider _time;
    private readonly AuditSigningKey? _key;
    private readonly Dictionary<AuditCallState, AuditFile> _files = [];
    private readonly ArrayBufferWriter<byte> _indexPending = new(1024);
    private readonly List<(AuditCallState Call, AuditFile File)> _written = [];
    private readonly Action<int> _flush;
    private string?[] _flushFailures = [];
    private AuditFlushWorkers? _workers;
    private AuditIndexWriter? _index;
    private AuditFile? _indexFile;

    public FileAuditStore(IOptions<AuditOptions> options, IAuditFileSystem fileSystem, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _root = Path.GetFullPath(options.Value.Directory);
        _fileSystem = fileSystem;
        _time = time ?? TimeProvider.System;
        _key = options.Value.ParsedSigningKey();
        _flush = Flush;
    }

    public async ValueTask<string?> CommitAsync(IReadOnlyList<AuditCallState> calls, CancellationToken cancellationToken)
    {
        foreach (var call in calls)
        {
            if (call.HasPending && !_files.ContainsKey(call))
            {
                var path = NewPath(call);
                var file = new AuditFile(path, Path.GetRelativePath(_root, path).Replace('\\', '/'));
                _files.Add(call, file);
                IndexLine(Index().WriteOpened(_time.GetUtcNow(), call.Header.CallId, file.Relative));
            }
        }

        // The index names a file before the file exists: a trail is never on disk without its index line.
        var failure = FlushIndex();
        if (failure is not null)
        {
            return failure;
        }

        // Every call's lines are written first (to the OS cache), then all the files are fsynced together.
        _written.Clear();
        foreach (var call in calls)
        {
            if (!call.HasPending)
            {
                continue;
            }

            var file = _files[call];
            try
            {
                Write(file, call.PendingBytes.Span);
                _written.Add((call, file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Reopened on the next attempt; the partial write, if any, is cut away then.
                Close(file);
                failure ??= $"{file.Path}: {ex.Message}";
            }
        }

        if (_flushFailures.Length < _written.Count)
        {
            _flushFailures = new string?[_written.Count * 2];
        }

        Array.Clear(_flushFailures);
        await (_workers ??= new AuditFlushWorkers(FlushThreads)).RunAsync(_written.Count, _flush).ConfigureAwait(false);

        for (var i = 0; i < _written.Count; i++)
        {
            var (call, file) = _written[i];
            if (_flushFailures[i] is { } flushFailure)
            {
                // Not durable: cut back to what was and written again on the next attempt.
                Close(file);
                failure ??= flushFailure;
                continue;
            }

            file.DurableLength += call.PendingBytes.Length;
            call.Committed();
            file.DurableRecords = call.LastSeq;
            call.LastHashHex.CopyTo(file.DurableHash);
            if (call.Closing)
            {
                IndexLine(_index!.WriteClosed(_time.GetUtcNow(), call.Header.CallId, file.Relative, file.DurableRecords, file.DurableHash));
            }
        }

        _written.Clear();
        failure ??= FlushIndex();
        return failure;
    }

    public void Release(AuditCallState call)
    {
        if (_files.Remove(call, out var file))
        {
            file.Stream?.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_index is not null && !_index.IsClosed)
        {
            // A clean stop: what each still-open call has on disk is recorded, so cutting it later is detected too.
            var now = _time.GetUtcNow();
            foreach (var (call, file) in _files)
            {
                if (file.DurableLength > 0)
                {
                    IndexLine(_index.WriteInterrupted(now, call.Header.CallId, file.Relative, file.DurableRecords, file.DurableHash));
                }
            }

            IndexLine(_index.WriteClose(now));
            FlushIndex();
        }

        foreach (var file in _files.Values)
        {
            file.Stream?.Dispose();
        }

        _files.Clear();
        _indexFile?.Stream?.Dispose();
        _index?.Dispose();
        _workers?.Dispose();
        return ValueTask.CompletedTask;
    }

    private AuditIndexWriter Index()
    {
        if (_index is null)
        {
            var started = _time.GetUtcNow();
            var nonce = AuditTrail.NewNonce();
            var name = started.UtcDateTime.ToString("yyyy-MM-dd'T'HH-mm-ss.fff'Z'", CultureInfo.InvariantCulture) + "-" + nonce[..8] + AuditFormat.IndexExtension;
            _indexFile = new AuditFile(Path.Combine(_root, AuditFormat.IndexDirectory, name));
            _index = new AuditIndexWriter(_key);
            IndexLine(_index.WriteHeader(started, nonce));
        }

        return _index;
    }

    private void IndexLine(ReadOnlyMemory<byte> line) => _indexPending.Write(line.Span);

    private string? FlushIndex()
    {
        if (_indexPending.WrittenCount == 0)
        {
            return null;
        }

        try
        {
            Append(_indexFile!, _indexPending.WrittenSpan);
            _indexPending.ResetWrittenCount();
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _indexFile!.Stream?.Dispose();
            _indexFile.Stream = null;
            return $"{_indexFile.Path}: {ex.Message}";
        }
    }

    private void Append(AuditFile file, ReadOnlySpan<byte> lines)
    {
        Write(file, lines);
        _fileSystem.FlushToDisk(file.Stream!);
        file.DurableLength += lines.Length;
    }

    /// <summary>Appends after the durable length (reopening the file and cutting a torn tail after a failure); no fsync.</summary>
    private void Write(AuditFile file, ReadOnlySpan<byte> lines)
    {
        if (file.Stream is null)
        {
            if (file.DurableLength == 0 && !_fileSystem.Exists(file.Path))
            {
                _fileSystem.CreateDirectory(Path.GetDirectoryName(file.Path)!);
                file.Stream = _fileSystem.CreateNew(file.Path);
            }
            else
            {
                file.Stream = _fileSystem.OpenExisting(file.Path);
                file.Stream.SetLength(file.DurableLength);
            }

            file.Stream.Position = file.DurableLength;
        }

        file.Stream.Write(lines);
    }

    // On a worker thread (AuditFlushWorkers).
    private void Flush(int index)
    {
        var file = _written[index].File;
        try
        {
            _fileSystem.FlushToDisk(file.Stream!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _flushFailures[index] = $"{file.Path}: {ex.Message}";
        }
    }

    private static void Close(AuditFile file)
    {
        file.Stream?.Dispose();
        file.Stream = null;
    }

    private string NewPath(AuditCallState call)
    {
        var day = Path.Combine(_root, call.Header.Started.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var name = SafeName(call.Header.CallId);
        var path = Path.Combine(day, name + ".jsonl");

        // A call id seen twice in a day (a restarted process reusing a session id) never appends to the earlier trail.
        for (var n = 2; _fileSystem.Exists(path) || _files.Values.Any(f => f.Path == path); n++)
        {
            path = Path.Combine(day, $"{name}.{n}.jsonl");
        }

        return path;
    }

    /// <summary>The trail's file name for a call id (see <see cref="AuditFormat.FileStem"/>).</summary>
    internal static string SafeName(string callId) => AuditFormat.FileStem(callId);
}
