using System.CommandLine;
using System.Text.Json;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// <c>voicebridge compare NAME=report.json NAME=report.json …</c>: prints <see cref="LoadComparison"/> for reports that
/// <c>voicebridge load --json</c> wrote (<c>tools/compare.sh</c> runs the loads). Exit code 2 when a report cannot be read.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var reports = new Argument<string[]>("reports") { Description = "NAME=path.json, one per run; the first is the one the ratios are of.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("compare", "Print load reports of the same load side by side, with ratios of the first to each other.") { reports };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var runs = new List<(string Name, LoadReport Report)>();
            foreach (var item in parseResult.GetValue(reports)!)
            {
                var split = item.IndexOf('=', StringComparison.Ordinal);
                if (split <= 0)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: expected NAME=path.json, got '{item}'");
                    return 2;
                }

                try
                {
                    await using var stream = File.OpenRead(item[(split + 1)..]);
                    var report = await JsonSerializer.DeserializeAsync(stream, LoadJsonContext.Default.LoadReport, cancellationToken);
                    runs.Add((item[..split], report ?? throw new JsonException("empty report")));
                }
                catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
                {
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: cannot read {item[(split + 1)..]}: {ex.Message}");
                    return 2;
                }
            }

            await parseResult.InvocationConfiguration.Output.WriteAsync(LoadComparison.Format(runs));
            return 0;
        });
        return command;
    }
}
