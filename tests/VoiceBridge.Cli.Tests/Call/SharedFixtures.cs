using System.Text.Json;

namespace VoiceBridge.Cli.Tests.Call;

/// <summary>Finds shared/protocols/fixtures beside the repository root (the folder holding VoiceBridge.sln).</summary>
internal static class SharedFixtures
{
    public static JsonDocument Json(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                return JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "..", "shared", "protocols", "fixtures", name)));
            }
        }

        throw new DirectoryNotFoundException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
    }
}
