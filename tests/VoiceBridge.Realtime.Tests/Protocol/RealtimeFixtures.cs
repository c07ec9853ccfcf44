namespace VoiceBridge.Realtime.Tests.Protocol;

/// <summary>Finds shared/protocols/fixtures next to the repository root (the folder holding VoiceBridge.sln).</summary>
internal static class RealtimeFixtures
{
    public static readonly string[] OpenAiFiles =
    [
        "openai-realtime-client-events.jsonl",
        "openai-realtime-server-events-function-call-turn.jsonl",
        "openai-realtime-error-events.jsonl",
    ];

    public static string Directory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                dir = dir.Parent;
            }

            if (dir?.Parent is null)
            {
                throw new InvalidOperationException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
            }

            return Path.Combine(dir.Parent.FullName, "shared", "protocols", "fixtures");
        }
    }

    public static string[] Lines(string file) =>
        File.ReadAllLines(Path.Combine(Directory, file)).Where(l => l.Length > 0).ToArray();

    /// <summary>Every line of every openai-realtime fixture as (file, 1-based line number).</summary>
    public static TheoryData<string, int> AllLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in OpenAiFiles)
        {
            var count = Lines(file).Length;
            for (var i = 1; i <= count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    public static byte[] Line(string file, int lineNumber) => System.Text.Encoding.UTF8.GetBytes(Lines(file)[lineNumber - 1]);
}
