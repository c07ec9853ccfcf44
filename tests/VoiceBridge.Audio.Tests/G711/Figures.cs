namespace VoiceBridge.Audio.Tests.G711;

/// <summary>
/// Measured figures go to the test output and, when VOICEBRIDGE_FIGURES_DIR is set, to audio-codec.txt there
/// (tests/run.sh prints that directory at the end of a run).
/// </summary>
internal static class Figures
{
    private static readonly Lock s_fileLock = new();

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        string? dir = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        Directory.CreateDirectory(dir);
        lock (s_fileLock)
        {
            File.AppendAllText(Path.Combine(dir, "audio-codec.txt"), line + Environment.NewLine);
        }
    }
}
