using System.CommandLine;
using VoiceBridge.Realtime.Audit;

namespace VoiceBridge.Cli.Audit;

/// <summary><c>voicebridge audit verify &lt;file-or-directory&gt;</c>.</summary>
internal static class AuditCommand
{
    /// <summary>Extension of the per-call audit files the server writes.</summary>
    public const string FilePattern = "*.jsonl";

    public static Command Create()
    {
        var path = new Argument<string>("file-or-directory") { Description = "An audit file, or a directory searched recursively for *.jsonl audit files." };
        var verify = new Command("verify", "Check every audit file's hash chain and sequence; exit non-zero naming the first broken record.") { path };
        verify.SetAction(parseResult => Verify(parseResult.GetValue(path)!, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error));
        return new Command("audit", "Read back a VoiceBridge audit trail.") { verify };
    }

    /// <summary>0 when every file verifies (complete or incomplete), 1 when one is broken, 2 when the path does not exist.</summary>
    public static int Verify(string path, TextWriter output, TextWriter error)
    {
        string[] files;
        if (File.Exists(path))
        {
            files = [path];
        }
        else if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path, FilePattern, SearchOption.AllDirectories);
            Array.Sort(files, StringComparer.Ordinal);
        }
        else
        {
            error.WriteLine($"no such file or directory: {path}");
            return 2;
        }

        int complete = 0, incomplete = 0, broken = 0;
        long records = 0;
        foreach (var file in files)
        {
            AuditVerification result;
            try
            {
                result = AuditVerifier.VerifyFile(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                broken++;
                output.WriteLine($"BROKEN {file}: cannot read: {ex.Message}");
                continue;
            }

            records += result.Records;
            switch (result.Status)
            {
                case AuditFileStatus.Complete:
                    complete++;
                    output.WriteLine($"OK {file}: {result.Records} records, complete");
                    break;
                case AuditFileStatus.Incomplete:
                    incomplete++;
                    var torn = result.TornBytes > 0 ? $" (torn last line of {result.TornBytes} bytes ignored)" : "";
                    output.WriteLine($"OK {file}: {result.Records} records, incomplete{torn}");
                    break;
                default:
                    broken++;
                    var where = result.Break!.Seq == 0 ? "header" : $"record {result.Break.Seq}";
                    output.WriteLine($"BROKEN {file}: {where} (line {result.Break.Line}): {result.Break.Reason}");
                    break;
            }
        }

        output.WriteLine($"{files.Length} files, {records} records: {complete} complete, {incomplete} incomplete, {broken} broken");
        return broken == 0 ? 0 : 1;
    }
}
