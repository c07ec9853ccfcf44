using System.CommandLine;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Cli.Audit;

/// <summary><c>voicebridge audit verify &lt;file-or-directory&gt; [--key-file …] [--key …]</c> and <c>voicebridge audit new-key</c>.</summary>
internal static class AuditCommand
{
    /// <summary>Extension of the per-call audit files the server writes.</summary>
    public const string FilePattern = "*" + AuditDirectoryVerifier.TrailExtension;

    /// <summary>Environment variable holding the key, as the server reads it (<c>Audit__SigningKey</c>).</summary>
    public const string KeyVariable = "Audit__SigningKey";

    public static Command Create()
    {
        var path = new Argument<string>("file-or-directory") { Description = "An audit file, or the audit directory (trails searched recursively, checked against its index/)." };
        var keys = new Option<string[]>("--key") { Description = "A signing key (base64), repeatable for rotated keys. Prefer --key-file: a command line is visible to other users.", Arity = ArgumentArity.ZeroOrMore };
        var keyFiles = new Option<FileInfo[]>("--key-file") { Description = "A file of signing keys, one base64 key per line ('#' comments), repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var requireSealed = new Option<bool>("--require-sealed") { Description = "Treat unsealed trails as broken (every trail should have been written with Audit:SigningKey)." };
        var verify = new Command("verify", $"Check every trail's seal, chain and name, and the directory's index; exit 1 if any is broken. Keys: --key-file, --key, or {KeyVariable}.")
        {
            path, keys, keyFiles, requireSealed,
        };
        verify.SetAction(parseResult => Verify(
            parseResult.GetValue(path)!,
            parseResult.GetValue(keys) ?? [],
            parseResult.GetValue(keyFiles) ?? [],
            parseResult.GetValue(requireSealed),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        var newKey = new Command("new-key", "Print a new random signing key (base64, 32 bytes) for Audit:SigningKey.");
        newKey.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine(AuditSigningKey.NewBase64());
            return 0;
        });
        return new Command("audit", "Read back a VoiceBridge audit trail.") { verify, newKey };
    }

    /// <summary>Verifies with the key in <see cref="KeyVariable"/>, if any.</summary>
    public static int Verify(string path, TextWriter output, TextWriter error) => Verify(path, [], [], requireSealed: false, output, error);

    /// <summary>0 when nothing is broken (sealed, unsealed, live or interrupted), 1 when a file is broken, 2 on a bad path or key.</summary>
    public static int Verify(string path, IReadOnlyList<string> keyTexts, IReadOnlyList<FileInfo> keyFiles, bool requireSealed, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryLoadKeys(keyTexts, keyFiles, error, out var keys))
        {
            return 2;
        }

        IReadOnlyList<AuditFileReport> reports;
        try
        {
            if (File.Exists(path))
            {
                reports = [AuditDirectoryVerifier.VerifyTrailFile(path, keys, requireSealed)];
            }
            else if (Directory.Exists(path))
            {
                reports = AuditDirectoryVerifier.Verify(path, keys, requireSealed);
            }
            else
            {
                error.WriteLine($"no such file or directory: {path}");
                return 2;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            output.WriteLine($"BROKEN {path}: cannot read: {ex.Message}");
            return 1;
        }

        var counts = new int[Enum.GetValues<AuditFileVerdict>().Length];
        long records = 0;
        foreach (var report in reports)
        {
            counts[(int)report.Verdict]++;
            records += report.Records;
            var label = report.Verdict switch
            {
                AuditFileVerdict.Sealed => "ok sealed",
                AuditFileVerdict.Unsealed => "ok unsealed",
                AuditFileVerdict.Live => "live",
                AuditFileVerdict.Interrupted => "interrupted",
                _ => "BROKEN",
            };
            output.WriteLine(report.Verdict == AuditFileVerdict.Broken
                ? $"{label} {report.Path}: {report.Detail}"
                : $"{label} {report.Path}: {report.Records} records, {report.Detail}");
        }

        output.WriteLine($"{reports.Count} files, {records} records: {counts[(int)AuditFileVerdict.Sealed]} sealed, {counts[(int)AuditFileVerdict.Unsealed]} unsealed, "
            + $"{counts[(int)AuditFileVerdict.Live]} live, {counts[(int)AuditFileVerdict.Interrupted]} interrupted, {counts[(int)AuditFileVerdict.Broken]} broken");
        return counts[(int)AuditFileVerdict.Broken] == 0 ? 0 : 1;
    }

    private static bool TryLoadKeys(IReadOnlyList<string> keyTexts, IReadOnlyList<FileInfo> keyFiles, TextWriter error, out List<AuditSigningKey> keys)
    {
        keys = [];
        var texts = new List<(string Text, string Source)>();
        texts.AddRange(keyTexts.Select((k, i) => (k, $"--key #{i + 1}")));
        foreach (var file in keyFiles)
        {
            if (!file.Exists)
            {
                error.WriteLine($"no such key file: {file.FullName}");
                return false;
            }

            var lineNumber = 0;
            foreach (var line in File.ReadAllLines(file.FullName))
            {
                lineNumber++;
                var text = line.Trim();
                if (text.Length > 0 && !text.StartsWith('#'))
                {
                    texts.Add((text, $"{file.Name} line {lineNumber}"));
                }
            }
        }

        if (texts.Count == 0 && Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } variable)
        {
            texts.Add((variable, KeyVariable));
        }

        foreach (var (text, source) in texts)
        {
            if (!AuditSigningKey.TryParse(text, out var key, out var reason))
            {
                // The key itself is never echoed.
                error.WriteLine($"unusable key ({source}): {reason}");
                return false;
            }

            keys.Add(key!);
        }

        return true;
    }
}
