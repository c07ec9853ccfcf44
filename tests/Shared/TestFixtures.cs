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

    /// <summary>
    /// The frames (lines) of each .jsonl fixture, declared here rather than counted from the files, so that theories
    /// driven by them enumerate every case even when a file is missing or truncated: each case then fails on its own.
    /// RepositoryStandsAloneTests checks these against the files and tests/fixtures/README.md.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Frames { get; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["twilio-media-stream-from-twilio.jsonl"] = 10,
        ["twilio-media-stream-to-twilio.jsonl"] = 4,
        ["openai-realtime-client-events.jsonl"] = 5,
        ["openai-realtime-server-events-function-call-turn.jsonl"] = 41,
        ["openai-realtime-error-events.jsonl"] = 3,
    };

    /// <summary>The vectors of twilio-signature-vectors.json by name, declared for the same reason.</summary>
    public static IReadOnlyList<string> SignatureVectorNames { get; } =
    [
        "twilio-library-vector-form",
        "twilio-library-vector-form-with-explicit-443",
        "twilio-library-vector-json-body",
        "composed-voice-webhook",
        "composed-media-stream-websocket-handshake",
    ];

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
