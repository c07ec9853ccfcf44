using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// The server-policy filter on a client's session fields. Deny by default: a field is forwarded only when
/// <c>Browser:ClientMayChange</c> lists its path; <c>type</c> and the audio formats are always accepted because the
/// bridge handles them itself (formats are rewritten to 24 kHz upstream). Works on <see cref="JsonObject"/> so
/// fields the bridge does not model are denied too, not silently passed. A <c>model</c> equal to the server's is
/// dropped without an error: SDKs repeat the model they connected with, and it cannot change within a session
/// (docs/protocols/openai-realtime.md#the-session-object).
/// </summary>
internal sealed class SessionFieldFilter(IReadOnlySet<string> mayChange, bool exposeTools, string? serverModel = null)
{
    public const string InputFormatPath = "audio.input.format";
    public const string OutputFormatPath = "audio.output.format";

    /// <summary>GA session fields (docs/protocols/openai-realtime.md#the-session-object) that
    /// <c>Browser:ClientMayChange</c> may name.</summary>
    public static readonly FrozenSet<string> KnownPaths = new[]
    {
        "instructions", "output_modalities", "tools", "tool_choice", "max_output_tokens", "truncation", "include",
        "prompt", "tracing", "reasoning", "parallel_tool_calls", "audio.input.transcription", "audio.input.turn_detection",
        "audio.input.noise_reduction", "audio.output.voice", "audio.output.speed",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether the client may change <paramref name="path"/> (a session path such as <c>instructions</c>).</summary>
    public bool MayChange(string path) => mayChange.Contains(path);

    /// <summary>Removes every field the client may not change; returns their paths as <c>session.…</c> params.</summary>
    public List<string> RemoveForbidden(JsonObject session)
    {
        var removed = new List<string>();
        Walk(session, string.Empty, removed);
        return removed;
    }

    /// <summary>
    /// What a client is shown of a session: no server-side tool definitions (unless exposed), no instructions it may
    /// not change, and its own audio formats instead of the 24 kHz the upstream uses.
    /// </summary>
    public void ShapeForClient(JsonObject session, int inputRate, int outputRate)
    {
        if (!exposeTools)
        {
            session.Remove("tools");
        }

        if (!MayChange("instructions"))
        {
            session.Remove("instructions");
        }

        ClientAudioFormat.Replace(session, "input", inputRate);
        ClientAudioFormat.Replace(session, "output", outputRate);
    }

    private void Walk(JsonObject node, string prefix, List<string> removed)
    {
        foreach (var key in node.Select(property => property.Key).ToList())
        {
            var path = prefix + key;
            if (path is "audio" or "audio.input" or "audio.output" && node[key] is JsonObject child)
            {
                Walk(child, path + ".", removed);
                continue;
            }

            if (path is "type" or InputFormatPath or OutputFormatPath || mayChange.Contains(path))
            {
                continue;
            }

            if (path == "model" && serverModel is not null && node[key] is JsonValue model
                && model.TryGetValue<string>(out var name) && name == serverModel)
            {
                node.Remove(key);
                continue;
            }

            node.Remove(key);
            removed.Add("session." + path);
        }
    }
}
