namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// Tools outside the .NET SDK that tests/prerequisites.sh installs (chromium, the npm packages). Missing under CI=true
/// is a failure (the test command should have installed them); on a developer's machine the test is skipped with the
/// command that fixes it, so a plain `dotnet test` without them still says what it did not check.
/// </summary>
internal static class Prerequisite
{
    public static void Require(bool present, string what)
    {
        if (present)
        {
            return;
        }

        var message = $"{what} is missing; run `bash tests/run.sh` (or source tests/prerequisites.sh and call ensure_test_prerequisites) to install it.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }

    /// <summary>The repository root: the folder holding VoiceBridge.sln above the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where a test leaves artifacts (screenshots): beside the figures in a tests/run.sh run, else under the test binaries.</summary>
    public static string ArtifactsDirectory()
    {
        var figures = Environment.GetEnvironmentVariable("VOICEBRIDGE_FIGURES_DIR");
        var directory = string.IsNullOrEmpty(figures)
            ? Path.Combine(AppContext.BaseDirectory, "artifacts")
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(figures).TrimEnd(Path.DirectorySeparatorChar))!, "artifacts");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
