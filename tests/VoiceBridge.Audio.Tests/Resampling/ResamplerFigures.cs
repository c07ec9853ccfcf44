namespace VoiceBridge.Audio.Tests.Resampling;

/// <summary>Prints measured figures to the test output and appends them to $VOICEBRIDGE_FIGURES_DIR/resampler.txt.</summary>
internal static class ResamplerFigures
{
    private static readonly Lock FileLock = new();

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var directory = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        Directory.CreateDirectory(directory);
        lock (FileLock)
        {
            File.AppendAllText(Path.Combine(directory, "resampler.txt"), "resampler: " + line + Environment.NewLine);
        }
    }
}
