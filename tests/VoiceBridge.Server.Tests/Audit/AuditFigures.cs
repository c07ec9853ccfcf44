namespace VoiceBridge.Server.Tests.Audit;

/// <summary>Measured figures of the audit: test output, and audit.txt in VOICEBRIDGE_FIGURES_DIR when set.</summary>
internal static class AuditFigures
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
            File.AppendAllText(Path.Combine(dir, "audit.txt"), line + Environment.NewLine);
        }
    }
}
