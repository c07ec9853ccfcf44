namespace VoiceBridge.Realtime.Tests.Protocol;

/// <summary>The OpenAI Realtime fixtures in tests/fixtures, line by line (one WebSocket text frame per line).</summary>
internal static class RealtimeFixtures
{
    public static readonly string[] OpenAiFiles =
    [
        "openai-realtime-client-events.jsonl",
        "openai-realtime-server-events-function-call-turn.jsonl",
        "openai-realtime-error-events.jsonl",
    ];

    public static string[] Lines(string file) => TestFixtures.Lines(file);

    /// <summary>
    /// Every line of every openai-realtime fixture as (file, 1-based line number), from the declared frame counts: the
    /// cases exist even when a file does not, and each then fails with the path it looked for.
    /// </summary>
    public static TheoryData<string, int> AllLines()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in OpenAiFiles)
        {
            var count = TestFixtures.Frames[file];
            for (var i = 1; i <= count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    public static byte[] Line(string file, int lineNumber) => System.Text.Encoding.UTF8.GetBytes(Lines(file)[lineNumber - 1]);
}
