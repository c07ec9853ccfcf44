namespace VoiceBridge.Server.Tests;

/// <summary>
/// Measured figures: written to the test output and, when VOICEBRIDGE_FIGURES_DIR is set, appended to
/// <c>&lt;area&gt;.txt</c> there, which tests/run.sh prints at the end of the run.
/// </summary>
internal static class Figures
{
    private static readonly Lock s_fileLock = new();

    public static void Report(string area, string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var dir = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        Directory.CreateDirectory(dir);
        lock (s_fileLock)
        {
            File.AppendAllText(Path.Combine(dir, area + ".txt"), line + Environment.NewLine);
        }
    }
}
