namespace VoiceBridge.EndToEnd.Tests;

/// <summary>Measured figures: to the test output and, when VOICEBRIDGE_FIGURES_DIR is set, to its "end-to-end" file.</summary>
internal static class Figures
{
    private static readonly Lock s_lock = new();

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var directory = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        lock (s_lock)
        {
            File.AppendAllText(Path.Combine(directory, "end-to-end.txt"), line + Environment.NewLine);
        }
    }
}
