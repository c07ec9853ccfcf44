using System.Text.Json;

namespace VoiceBridge.Server.Tests;

/// <summary>Finds shared/protocols/fixtures beside the repository (CI clones the repo with shared/ as its sibling).</summary>
internal static class SharedFixtures
{
    public static string Directory { get; } = Locate();

    public static string Path(string name) => System.IO.Path.Combine(Directory, name);

    public static JsonDocument Json(string name) => JsonDocument.Parse(File.ReadAllText(Path(name)));

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                var fixtures = System.IO.Path.Combine(dir.FullName, "..", "shared", "protocols", "fixtures");
                if (System.IO.Directory.Exists(fixtures))
                {
                    return System.IO.Path.GetFullPath(fixtures);
                }

                throw new DirectoryNotFoundException($"shared/protocols/fixtures not found beside {dir.FullName}");
            }
        }

        throw new DirectoryNotFoundException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
    }
}
