namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>Measured figures of the instrumentation: test output, and telemetry.txt in VOICEBRIDGE_FIGURES_DIR when set.</summary>
internal static class TelemetryFigures
{
    private static readonly Lock s_fileLock = new();

    public static void Report(string line)
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
            File.AppendAllText(Path.Combine(dir, "telemetry.txt"), line + Environment.NewLine);
        }
    }
}
