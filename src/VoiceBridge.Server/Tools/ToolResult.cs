using System.Text;
using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// What a tool answered: the <c>function_call_output</c> string (free-form; JSON by convention,
/// docs/protocols/openai-realtime.md#client-events), and what the bridge does after the model's reply to it has been
/// heard.
/// </summary>
internal sealed record ToolResult(string Output)
{
    /// <summary>True when the tool did its job; false for timeouts, HTTP errors and invalid arguments.</summary>
    public bool Succeeded { get; init; } = true;

    public AfterReply After { get; init; }

    /// <summary>The number to dial for <see cref="AfterReply.Transfer"/>.</summary>
    public string? TransferTo { get; init; }

    /// <summary>A failure the model can speak about: <c>{"error": message}</c>.</summary>
    public static ToolResult Failure(string message) => new(Json(("error", message))) { Succeeded = false };

    /// <summary>A small JSON object of string fields, written without reflection.</summary>
    public static string Json(params (string Name, string Value)[] fields)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
