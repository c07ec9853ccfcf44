using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// The file sink's trails: <c>&lt;Audit:Directory&gt;/yyyy-MM-dd/&lt;call id&gt;[.n].jsonl</c>. A call id reused (a
/// restarted process, a second day, a replayed webhook) has several; the first one is served, so a later trail never
/// shadows the real call's (the others stay on disk, in the index, and are checked by <c>voicebridge audit verify</c>).
/// </summary>
internal sealed class FileAuditReader(IOptions<AuditOptions> options) : IAuditReader
{
    private readonly string _root = Path.GetFullPath(options.Value.Directory);

    public async Task<byte[]?> ReadTrailAsync(string callId, CancellationToken cancellationToken)
    {
        if (FindTrail(callId) is not { } path)
        {
            return null;
        }

        // The writer holds the file open for a live call: share it (it only appends whole lines).
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            var content = new MemoryStream();
            await stream.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
            return content.ToArray();
        }
    }

    /// <summary>The file of the first trail for the id (the id is validated: letters, digits, '-' and '_' only).</summary>
    internal string? FindTrail(string callId)
    {
        if (!Directory.Exists(_root))
        {
            return null;
        }

        var name = FileAuditStore.SafeName(callId);
        string? best = null;
        var bestKey = (Day: "", N: 0);
        foreach (var day in Directory.EnumerateDirectories(_root))
        {
            foreach (var file in Directory.EnumerateFiles(day, name + "*.jsonl"))
            {
                var stem = Path.GetFileNameWithoutExtension(file);
                var n = stem == name ? 1 : stem.StartsWith(name + ".", StringComparison.Ordinal) && int.TryParse(stem.AsSpan(name.Length + 1), out var k) ? k : 0;
                var key = (Day: Path.GetFileName(day), N: n);
                if (n > 0 && (best is null || string.CompareOrdinal(key.Day, bestKey.Day) < 0 || (key.Day == bestKey.Day && key.N < bestKey.N)))
                {
                    best = file;
                    bestKey = key;
                }
            }
        }

        return best;
    }
}
