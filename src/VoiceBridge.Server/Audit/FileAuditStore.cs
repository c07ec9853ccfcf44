using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The embedded sink: one append-only JSON-lines file per call, <c>&lt;Audit:Directory&gt;/yyyy-MM-dd/&lt;call id&gt;.jsonl</c>
/// (UTC day the call started). Each commit writes a call's pending lines in one write, then fsyncs.
/// </summary>
internal sealed class FileAuditStore(IOptions<AuditOptions> options, IAuditFileSystem fileSystem) : IAuditStore
{
    private const int MaxNameLength = 100;

    private readonly string _root = Path.GetFullPath(options.Value.Directory);
    private readonly Dictionary<AuditCallState, AuditFile> _files = [];

    public ValueTask<string?> CommitAsync(IReadOnlyList<AuditCallState> calls, CancellationToken cancellationToken)
    {
        string? failure = null;
        foreach (var call in calls)
        {
            if (!call.HasPending)
            {
                continue;
            }

            if (!_files.TryGetValue(call, out var file))
            {
                file = new AuditFile(NewPath(call));
                _files.Add(call, file);
            }

            try
            {
                Append(file, call.PendingBytes.Span);
                call.Committed();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Reopened on the next attempt; the partial write, if any, is cut away then.
                file.Stream?.Dispose();
                file.Stream = null;
                failure ??= $"{file.Path}: {ex.Message}";
            }
        }

        return ValueTask.FromResult(failure);
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
        foreach (var file in _files.Values)
        {
            file.Stream?.Dispose();
        }

        _files.Clear();
        return ValueTask.CompletedTask;
    }

    private void Append(AuditFile file, ReadOnlySpan<byte> lines)
    {
        if (file.Stream is null)
        {
            if (file.DurableLength == 0 && !fileSystem.Exists(file.Path))
            {
                fileSystem.CreateDirectory(Path.GetDirectoryName(file.Path)!);
                file.Stream = fileSystem.CreateNew(file.Path);
            }
            else
            {
                file.Stream = fileSystem.OpenExisting(file.Path);
                file.Stream.SetLength(file.DurableLength);
            }

            file.Stream.Position = file.DurableLength;
        }

        file.Stream.Write(lines);
        fileSystem.FlushToDisk(file.Stream);
        file.DurableLength += lines.Length;
    }

    private string NewPath(AuditCallState call)
    {
        var day = Path.Combine(_root, call.Header.Started.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var name = SafeName(call.Header.CallId);
        var path = Path.Combine(day, name + ".jsonl");

        // A call id seen twice in a day (a restarted process reusing a session id) never appends to the earlier trail.
        for (var n = 2; fileSystem.Exists(path) || _files.Values.Any(f => f.Path == path); n++)
        {
            path = Path.Combine(day, $"{name}.{n}.jsonl");
        }

        return path;
    }

    /// <summary>Call ids come from the network (CallSid, session id): only letters, digits, '-' and '_' reach the file name.</summary>
    internal static string SafeName(string callId)
    {
        var name = new StringBuilder(Math.Min(callId.Length, MaxNameLength));
        foreach (var c in callId.AsSpan(0, Math.Min(callId.Length, MaxNameLength)))
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return name.Length == 0 ? "_" : name.ToString();
    }
}
