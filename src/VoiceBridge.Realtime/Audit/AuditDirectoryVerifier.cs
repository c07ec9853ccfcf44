using System.Text.Json;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// Verifies a whole audit directory as the file sink writes it: every trail's chain and seal, its file name against its
/// call id, and every trail against the indexes (<c>index/*.index</c>) — so a deleted file, a truncated trail, a removed
/// close record or two swapped files are found, not just a changed byte. What this can and cannot prove is in
/// docs/security-audit.md.
/// </summary>
public static class AuditDirectoryVerifier
{
    /// <summary>Extension of trail files.</summary>
    public const string TrailExtension = ".jsonl";

    /// <summary>One report per trail and index file, plus one per file an index names that is missing.</summary>
    public static IReadOnlyList<AuditFileReport> Verify(string root, IReadOnlyList<AuditSigningKey> keys, bool requireSealed)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(keys);
        root = Path.GetFullPath(root);
        var reports = new List<AuditFileReport>();
        var entries = new Dictionary<string, AuditIndexEntry>(StringComparer.Ordinal);
        var indexDirectory = Path.Combine(root, AuditFormat.IndexDirectory);
        var hasSealedIndex = false;
        if (Directory.Exists(indexDirectory))
        {
            var indexes = Directory.GetFiles(indexDirectory, "*" + AuditFormat.IndexExtension);
            Array.Sort(indexes, StringComparer.Ordinal);
            foreach (var index in indexes)
            {
                reports.Add(ReadIndex(root, index, keys, entries, out var sealedIndex));
                hasSealedIndex |= sealedIndex;
            }
        }

        var trails = Directory.GetFiles(root, "*" + TrailExtension, SearchOption.AllDirectories);
        Array.Sort(trails, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var trail in trails)
        {
            var relative = Relative(root, trail);
            seen.Add(relative);
            entries.TryGetValue(relative, out var entry);
            reports.Add(VerifyTrail(trail, keys, requireSealed, entry, hasSealedIndex));
        }

        foreach (var entry in entries.Values.OrderBy(e => e.File, StringComparer.Ordinal))
        {
            if (!seen.Contains(entry.File))
            {
                reports.Add(new AuditFileReport(Path.Combine(root, entry.File), AuditFileVerdict.Broken, 0,
                    $"missing: {entry.Index} lists it as the trail of call {entry.CallId} (the file was deleted or moved)"));
            }
        }

        return reports;
    }

    /// <summary>One trail on its own (no index to compare with: truncation and deletion cannot be told from a live call).</summary>
    public static AuditFileReport VerifyTrailFile(string path, IReadOnlyList<AuditSigningKey> keys, bool requireSealed) =>
        VerifyTrail(path, keys, requireSealed, entry: null, hasSealedIndex: false);

    private static AuditFileReport VerifyTrail(string path, IReadOnlyList<AuditSigningKey> keys, bool requireSealed, AuditIndexEntry? entry, bool hasSealedIndex)
    {
        var v = AuditVerifier.VerifyFile(path, keys);
        if (v.Status == AuditFileStatus.Broken)
        {
            var where = v.Break!.Seq == 0 ? "header" : $"record {v.Break.Seq}";
            return Broken(path, v, $"{where} (line {v.Break.Line}): {v.Break.Reason}");
        }

        var stem = Path.GetFileNameWithoutExtension(path);
        if (v.CallId is null || !AuditFormat.IsFileOf(stem, v.CallId))
        {
            return Broken(path, v, $"the file holds the trail of call {v.CallId ?? "(none)"}, not of {stem} (renamed or swapped)");
        }

        var state = v.Status == AuditFileStatus.Complete ? "complete"
            : v.TornBytes > 0 ? $"no close record (torn last line of {v.TornBytes} bytes ignored)" : "no close record";
        if (entry is not null && entry.CallId != v.CallId)
        {
            return Broken(path, v, $"{entry.Index} lists this file for call {entry.CallId}, but it holds call {v.CallId} (swapped)");
        }

        if (!v.Sealed)
        {
            if (entry is { IndexSealed: true })
            {
                return Broken(path, v, $"{entry.Index} (sealed) lists this file, but it is unsealed: rewritten without the key");
            }

            if (requireSealed)
            {
                return Broken(path, v, "unsealed, and --require-sealed was given");
            }

            return entry is null
                ? new AuditFileReport(path, AuditFileVerdict.Unsealed, v.Records, $"{state}; unsealed: its hashes prove nothing against someone who can write the file")
                : Against(path, v, entry, state, AuditFileVerdict.Unsealed);
        }

        if (entry is null || !entry.IndexSealed)
        {
            if (hasSealedIndex)
            {
                return Broken(path, v, "sealed, but no sealed index lists it (its index was deleted, or the file was put here)");
            }

            return new AuditFileReport(path, v.Status == AuditFileStatus.Complete ? AuditFileVerdict.Sealed : AuditFileVerdict.Live, v.Records,
                $"{state}; key {v.KeyId}; no index to check it against (truncation and deleted files are not detected)");
        }

        return Against(path, v, entry, state, AuditFileVerdict.Sealed);
    }

    private static AuditFileReport Against(string path, AuditVerification v, AuditIndexEntry entry, string state, AuditFileVerdict ok)
    {
        var complete = v.Status == AuditFileStatus.Complete;
        var key = v.KeyId is null ? "" : $"; key {v.KeyId}";
        switch (entry.Type)
        {
            case AuditFormat.IndexCloseType:
                if (!complete)
                {
                    return Broken(path, v, $"the call ended ({entry.Index} records {entry.Records} records and its close), but the file has {v.Records} records and no close record: truncated, or its last records deleted");
                }

                return entry.Records == v.Records && entry.Hash == v.LastHash
                    ? new AuditFileReport(path, ok, v.Records, $"complete{key}; matches {entry.Index}")
                    : Broken(path, v, $"{entry.Index} records {entry.Records} records ending in {Short(entry.Hash)}; the file has {v.Records} ending in {Short(v.LastHash)} (replaced or cut)");
            case AuditFormat.IndexInterruptedType:
                return !complete && entry.Records == v.Records && entry.Hash == v.LastHash
                    ? new AuditFileReport(path, AuditFileVerdict.Interrupted, v.Records, $"the process stopped with the call open; {v.Records} records as {entry.Index} records{key}")
                    : Broken(path, v, $"{entry.Index} records {entry.Records} records ending in {Short(entry.Hash)} when the process stopped; the file has {v.Records} ending in {Short(v.LastHash)}");
            default:
                if (complete)
                {
                    return new AuditFileReport(path, ok, v.Records, $"complete{key}; {entry.Index} has not recorded its end yet");
                }

                return entry.IndexClosed
                    ? Broken(path, v, $"its process stopped ({entry.Index} is closed) without the call's end or interruption: {v.Records} records, no close record")
                    : new AuditFileReport(path, AuditFileVerdict.Live, v.Records, $"{state}; the call is live (or its process was killed){key}");
        }
    }

    private static AuditFileReport ReadIndex(string root, string path, IReadOnlyList<AuditSigningKey> keys, Dictionary<string, AuditIndexEntry> entries, out bool sealedIndex)
    {
        var content = File.ReadAllBytes(path);
        var v = AuditVerifier.Verify(content.AsSpan(), keys);
        var name = Relative(root, path);

        // A sealed header is enough to say sealed trails are indexed here, even when the index does not verify.
        sealedIndex = v.Sealed;
        var closed = v.Status == AuditFileStatus.Complete;

        // Only records the chain vouches for are used, also from a broken index (its verified prefix).
        var span = content.AsSpan();
        var line = 0;
        while (line <= v.Records && !span.IsEmpty)
        {
            var end = span.IndexOf((byte)'\n');
            var text = end < 0 ? span : span[..end];
            if (line > 0 && TryReadEntry(text, out var type, out var callId, out var file, out var records, out var hash))
            {
                entries[file] = new AuditIndexEntry(callId, file, type, records, hash, name, v.Sealed, closed);
            }

            line++;
            span = end < 0 ? [] : span[(end + 1)..];
        }

        if (v.Status == AuditFileStatus.Broken)
        {
            var where = v.Break!.Seq == 0 ? "header" : $"record {v.Break.Seq}";
            return Broken(path, v, $"index {where} (line {v.Break.Line}): {v.Break.Reason}");
        }

        var verdict = !closed ? AuditFileVerdict.Live : sealedIndex ? AuditFileVerdict.Sealed : AuditFileVerdict.Unsealed;
        return new AuditFileReport(path, verdict, v.Records, closed ? "index, closed (its process stopped cleanly)" : "index, open (its process is running, or was killed)");
    }

    private static bool TryReadEntry(ReadOnlySpan<byte> line, out string type, out string callId, out string file, out long records, out string hash)
    {
        type = callId = file = hash = "";
        records = -1;
        var reader = new Utf8JsonReader(line);
        try
        {
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.GetString() ?? "";
                }
                else if (reader.ValueTextEquals("event"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var property = reader.GetString();
                        reader.Read();
                        switch (property)
                        {
                            case "call_id" when reader.TokenType == JsonTokenType.String:
                                callId = reader.GetString()!;
                                break;
                            case "file" when reader.TokenType == JsonTokenType.String:
                                file = reader.GetString()!;
                                break;
                            case "hash" when reader.TokenType == JsonTokenType.String:
                                hash = reader.GetString()!;
                                break;
                            case "records" when reader.TokenType == JsonTokenType.Number:
                                records = reader.GetInt64();
                                break;
                            default:
                                reader.Skip();
                                break;
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        return type is AuditFormat.IndexOpenType or AuditFormat.IndexCloseType or AuditFormat.IndexInterruptedType
            && callId.Length > 0 && file.Length > 0 && !file.Contains("..", StringComparison.Ordinal);
    }

    private static AuditFileReport Broken(string path, AuditVerification v, string reason) => new(path, AuditFileVerdict.Broken, v.Records, reason);

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] + "…" : hash.Length == 0 ? "(none)" : hash;
}
