using System.Globalization;

namespace VoiceBridge.Server.Audit;

/// <summary>Recordings as files beside the trails: <c>Audit:Directory/yyyy-MM-dd/&lt;call id&gt;[.n].wav</c>.</summary>
internal sealed class FileRecordingStore(AuditOptions options, TimeProvider time) : IRecordingStore
{
    public RecordingTarget? Create(string callId, out string? error)
    {
        error = null;
        var root = Path.GetFullPath(options.Directory);
        var day = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var name = FileAuditStore.SafeName(callId);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, day));
            for (var n = 1; n < 100; n++)
            {
                var file = n == 1 ? name + ".wav" : $"{name}.{n}.wav";
                var path = Path.Combine(root, day, file);
                if (File.Exists(path))
                {
                    continue;
                }

                // Unbuffered: every half-second chunk reaches the OS at once, so a killed process leaves it on disk.
                return new RecordingTarget(day + "/" + file, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous));
            }

            error = "99 recordings of this call id today already";
        }
        catch (IOException ex)
        {
            error = ex.Message;
        }
        catch (UnauthorizedAccessException ex)
        {
            error = ex.Message;
        }

        return null;
    }

    public Task<RecordingContent?> OpenAsync(string name, CancellationToken cancellationToken)
    {
        // The name comes from the verified trail and must still resolve inside Audit:Directory.
        var root = Path.GetFullPath(options.Directory) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, name));
        return Task.FromResult(path.StartsWith(root, StringComparison.Ordinal) && File.Exists(path) ? new RecordingContent(path, null) : null);
    }
}
