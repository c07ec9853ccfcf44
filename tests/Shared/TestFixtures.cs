using System.Text.Json;

namespace VoiceBridge.Tests.Shared;

/// <summary>
/// The protocol fixtures in tests/fixtures (described in its README), found from the test binary by walking up to the
/// folder holding VoiceBridge.sln. Compiled into each test project that reads fixtures (linked from tests/Shared).
/// A missing folder or file throws with the path it looked for: a fixture-driven test fails, it is never skipped.
/// </summary>
internal static class TestFixtures
{
    private static readonly Lazy<string> s_directory = new(Locate);

    /// <summary>The absolute path of tests/fixtures in this checkout.</summary>
    public static string Directory => s_directory.Value;

    /// <summary>The absolute path of one fixture file; throws <see cref="FileNotFoundException"/> when it is missing.</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(Directory, name);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Test fixture '{name}' is missing from {Directory} (see tests/fixtures/README.md).", path);
    }

    public static JsonDocument Json(string name) => JsonDocument.Parse(File.ReadAllText(Path(name)));

    /// <summary>The non-empty lines of a .jsonl fixture: one WebSocket text frame each.</summary>
    public static string[] Lines(string name) => File.ReadAllLines(Path(name)).Where(l => l.Length > 0).ToArray();

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                var fixtures = System.IO.Path.Combine(dir.FullName, "tests", "fixtures");
                return System.IO.Directory.Exists(fixtures)
                    ? fixtures
                    : throw new DirectoryNotFoundException($"tests/fixtures not found in the repository at {dir.FullName}.");
            }
        }

        throw new DirectoryNotFoundException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
    }
}
