using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Direct;

/// <summary>
/// The session of one direct call, as the bridge owns it. The whole server policy goes to the upstream when the call is
/// made (<c>/calls</c> or <c>/accept</c>); the fields a client may not change (everything outside
/// <c>Browser:ClientMayChange</c>) are what the bridge keeps asserting over the sideband: on connect and reconnect, and
/// again whenever a <c>session.updated</c> shows one changed — the browser holds the data channel and can send its own
/// <c>session.update</c> (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands). The bridge's own updates (an
/// operator's new instructions) move what is kept. Fields the policy leaves to the upstream's default (instructions
/// when none are configured, tools when there are none) are pinned to what the first <c>session.updated</c> showed.
/// Audio formats are not the bridge's on a direct call: WebRTC negotiates Opus, SIP its own codec. Thread-safe.
/// </summary>
internal sealed class DirectSession
{
    // Fields a session.updated always shows (the upstream's default when nobody set them): pinned when the policy does
    // not set them, so a client cannot set them either unless allowed.
    private static readonly string[] Pinned = ["instructions", "tools", "tool_choice", "output_modalities", "prompt"];

    private readonly IReadOnlySet<string> _mayChange;
    private readonly JsonObject _full;
    private readonly JsonObject _fixed;
    private readonly string _model;
    private readonly Lock _gate = new();
    private bool _pinned;

    private DirectSession(JsonObject full, IReadOnlySet<string> mayChange, string model)
    {
        _full = full;
        _mayChange = mayChange;
        _model = model;
        _fixed = new JsonObject();
        foreach (var (path, value) in Paths(full))
        {
            if (!MayChange(path))
            {
                Set(_fixed, path, value?.DeepClone());
            }
        }
    }

    /// <summary>The policy, with the session a client token fixed (set by a backend holding a bridge key) laid over it.</summary>
    public static DirectSession Create(SessionPolicy policy, JsonObject? tokenSession, IReadOnlySet<string> mayChange)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var update = policy.ToSessionUpdate();
        var session = JsonNode.Parse(RealtimeEventSerializer.ToUtf8Bytes(update))!["session"]!.DeepClone().AsObject();
        if (tokenSession is not null)
        {
            Merge(session, tokenSession);
        }

        session.Remove("model");
        session["type"] = "realtime";
        if (session["audio"] is JsonObject audio)
        {
            (audio["input"] as JsonObject)?.Remove("format");
            (audio["output"] as JsonObject)?.Remove("format");
        }

        return new DirectSession(session, mayChange, policy.Model);
    }

    /// <summary>The whole session for the upstream's <c>/calls</c> or <c>/accept</c> (with the model: a call picks it there).</summary>
    public string CallSessionJson()
    {
        lock (_gate)
        {
            var session = _full.DeepClone().AsObject();
            session["model"] = _model;
            return session.ToJsonString();
        }
    }

    /// <summary>The <c>session.update</c> that asserts the fields the client may not change.</summary>
    public RealtimeMessage SessionUpdate()
    {
        JsonObject session;
        lock (_gate)
        {
            session = _fixed.DeepClone().AsObject();
        }

        session["type"] = "realtime";
        var update = new JsonObject { ["type"] = RealtimeEventTypes.SessionUpdate, ["session"] = session };
        return RealtimeMessage.Copy(Encoding.UTF8.GetBytes(update.ToJsonString()), RealtimeMessageKind.Control);
    }

    /// <summary>A <c>session.update</c> the bridge sent (an operator's instructions): what it sets of the fixed fields is what is kept from now on.</summary>
    public void OnServerUpdate(ReadOnlySpan<byte> json)
    {
        if (Parse(json)?["session"] is not JsonObject session)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var (path, value) in Paths(session))
            {
                if (path != "type" && !MayChange(path))
                {
                    Set(_fixed, path, value?.DeepClone());
                }
            }
        }
    }

    /// <summary>The fixed fields a <c>session.updated</c> shows changed (empty when none), as dotted paths.</summary>
    public IReadOnlyList<string> Drift(ReadOnlySpan<byte> sessionUpdated)
    {
        if (Parse(sessionUpdated)?["session"] is not JsonObject actual)
        {
            return [];
        }

        var drift = new List<string>();
        lock (_gate)
        {
            if (!_pinned)
            {
                _pinned = true;
                foreach (var path in Pinned)
                {
                    if (!MayChange(path) && !_fixed.ContainsKey(path) && actual.ContainsKey(path))
                    {
                        _fixed[path] = actual[path]?.DeepClone();
                    }
                }
            }

            foreach (var (path, expected) in Paths(_fixed))
            {
                if (path != "type" && !Same(path, expected, Get(actual, path)))
                {
                    drift.Add(path);
                }
            }
        }

        return drift;
    }

    /// <summary>Whether a client may change <paramref name="path"/> (an entry also covers everything under it).</summary>
    public bool MayChange(string path)
    {
        foreach (var entry in _mayChange)
        {
            if (path == entry || path.StartsWith(entry + ".", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(string path, JsonNode? expected, JsonNode? actual)
    {
        if (path == "tools")
        {
            return ToolNames(expected).SetEquals(ToolNames(actual));
        }

        if (expected is null || expected.GetValueKind() == JsonValueKind.Null)
        {
            return actual is null || actual.GetValueKind() == JsonValueKind.Null;
        }

        if (expected is JsonObject expectedObject)
        {
            // What the bridge set must still be so; defaults the upstream adds around it (idle_timeout_ms…) are not a change.
            if (actual is not JsonObject actualObject)
            {
                return false;
            }

            foreach (var (key, value) in expectedObject)
            {
                if (!Same(path + "." + key, value, actualObject[key]))
                {
                    return false;
                }
            }

            return true;
        }

        if (expected.GetValueKind() == JsonValueKind.Number && actual?.GetValueKind() == JsonValueKind.Number)
        {
            return expected.GetValue<double>() == actual.GetValue<double>();
        }

        return JsonNode.DeepEquals(expected, actual);
    }

    private static HashSet<string> ToolNames(JsonNode? tools)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (tools is JsonArray array)
        {
            foreach (var tool in array)
            {
                if (tool?["name"] is JsonValue name && name.TryGetValue<string>(out var text))
                {
                    names.Add(text);
                }
            }
        }

        return names;
    }

    // Top-level fields, and the fields of audio.input / audio.output, as (dotted path, value).
    private static IEnumerable<(string Path, JsonNode? Value)> Paths(JsonObject session)
    {
        foreach (var (key, value) in session)
        {
            if (key == "audio" && value is JsonObject audio)
            {
                foreach (var (direction, fields) in audio)
                {
                    if (fields is JsonObject directionFields)
                    {
                        foreach (var (field, fieldValue) in directionFields)
                        {
                            if (field != "format")
                            {
                                yield return ($"audio.{direction}.{field}", fieldValue);
                            }
                        }
                    }
                }

                continue;
            }

            yield return (key, value);
        }
    }

    private static JsonNode? Get(JsonObject session, string path)
    {
        JsonNode? node = session;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node;
    }

    private static void Set(JsonObject session, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = session;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (node[parts[i]] is not JsonObject child)
            {
                child = new JsonObject();
                node[parts[i]] = child;
            }

            node = child;
        }

        node[parts[^1]] = value;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch)
        {
            // Containers merge; the settings inside them are replaced whole (as for a browser WebSocket client).
            if (key is "audio" or "input" or "output" && value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static JsonObject? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
