namespace VoiceBridge.Realtime.Tests.Simulator;

/// <summary>Measured figures: to the test output and, when VOICEBRIDGE_FIGURES_DIR is set, to realtime-sim.txt there.</summary>
internal static class Figures
{
    private static readonly Lock Gate = new();

    public static void Report(string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        var dir = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        lock (Gate)
        {
            Directory.CreateDirectory(dir);
            File.AppendAllText(Path.Combine(dir, "realtime-sim.txt"), line + Environment.NewLine);
        }
    }
}
