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

    /// <summary>
    /// GA session fields (docs/protocols/openai-realtime.md#the-session-object) that <c>Browser:ClientMayChange</c> may name, and the two
    /// response.create fields that have no session counterpart (<c>response.input</c>, <c>response.conversation</c>:
    /// out-of-band responses with the client's own context).
    /// </summary>
    public static readonly FrozenSet<string> KnownPaths = new[]
    {
        "instructions", "output_modalities", "tools", "tool_choice", "max_output_tokens", "truncation", "include",
        "prompt", "tracing", "reasoning", "parallel_tool_calls", "audio.input.transcription", "audio.input.turn_detection",
        "audio.input.noise_reduction", "audio.output.voice", "audio.output.speed", ResponseInputPath, ResponseConversationPath,
    }.ToFrozenSet(StringComparer.Ordinal);

    private const string ResponseInputPath = "response.input";
    private const string ResponseConversationPath = "response.conversation";
    private const string VoicePath = "audio.output.voice";

    // response.create fields (docs/protocols/openai-realtime.md#client-events) and the ClientMayChange entry that lets a client set each for one
    // response: the same entry as the session field it overrides, so a response cannot do what a session.update may
    // not. metadata needs none: it labels the response for the client and changes nothing the model does. Any other
    // field is removed (deny by default, like session fields). audio is handled apart: only its voice may pass.
    private static readonly FrozenDictionary<string, string?> ResponseFields = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["metadata"] = null,
        ["instructions"] = "instructions",
        ["prompt"] = "prompt",
        ["tools"] = "tools",
        ["tool_choice"] = "tool_choice",
        ["output_modalities"] = "output_modalities",
        ["max_output_tokens"] = "max_output_tokens",
        ["reasoning"] = "reasoning",
        ["input"] = ResponseInputPath,
        ["conversation"] = ResponseConversationPath,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether the client may change <paramref name="path"/> (a session path such as <c>instructions</c>).</summary>
    public bool MayChange(string path) => mayChange.Contains(path);

    /// <summary>Removes every field the client may not change; returns their paths as <c>session.…</c> params.</summary>
    public List<string> RemoveForbidden(JsonObject session)
    {
        var removed = new List<string>();
        Walk(session, string.Empty, removed);
        return removed;
    }

    /// <summary>Removes every response.create field the client may not set; returns their paths as <c>response.…</c> params.</summary>
    public List<string> RemoveForbiddenResponseFields(JsonObject response)
    {
        var removed = new List<string>();
        foreach (var key in response.Select(property => property.Key).ToList())
        {
            if (key == "audio" && response[key] is JsonObject audio)
            {
                KeepOnlyVoice(audio, removed);
                if (audio.Count == 0)
                {
                    response.Remove(key);
                }

                continue;
            }

            if (ResponseFields.TryGetValue(key, out var path) && (path is null || mayChange.Contains(path)))
            {
                continue;
            }

            response.Remove(key);
            removed.Add("response." + key);
        }

        return removed;
    }

    /// <summary>
    /// Whether a client may place <paramref name="item"/> in the conversation or a response's input: a message with
    /// the system or developer role is a second system prompt, so it needs the client to be allowed the instructions.
    /// Roles are compared ignoring case: the bridge must not judge more narrowly than some upstream parses.
    /// </summary>
    public bool MayPlace(JsonNode? item) =>
        MayChange("instructions")
        || item is not JsonObject { } message
        || message["role"] is not JsonValue role
        || !role.TryGetValue<string>(out var name)
        || !(name.Equals("system", StringComparison.OrdinalIgnoreCase) || name.Equals("developer", StringComparison.OrdinalIgnoreCase));

    private void KeepOnlyVoice(JsonObject audio, List<string> removed)
    {
        foreach (var key in audio.Select(property => property.Key).ToList())
        {
            if (key == "output" && audio[key] is JsonObject output)
            {
                foreach (var field in output.Select(property => property.Key).ToList())
                {
                    if (field != "voice" || !mayChange.Contains(VoicePath))
                    {
                        output.Remove(field);
                        removed.Add("response.audio.output." + field);
                    }
                }

                if (output.Count == 0)
                {
                    audio.Remove(key);
                }

                continue;
            }

            audio.Remove(key);
            removed.Add("response.audio." + key);
        }
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
