using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// The session a client connection runs with: the server policy, overlaid with the session fixed in the client
/// token (which a holder of a bridge API key chose), plus the PCM rates the client declared.
/// </summary>
internal sealed record EffectiveSession(JsonObject Session, int InputRate, int OutputRate)
{
    /// <summary>Builds it; a token session that declares an unsupported audio format gives null.</summary>
    public static EffectiveSession? Build(SessionPolicy policy, JsonObject? tokenSession)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // μ-law passthrough is a phone-leg option; a browser leg always speaks PCM to the upstream. Server-side tools are
        // offered as on a phone call: the call core's controller runs them (clients see them only with Browser:ExposeTools).
        var update = (policy with { PassthroughMulaw = false }).ToSessionUpdate();
        var session = JsonNode.Parse(RealtimeEventSerializer.ToUtf8Bytes(update))!["session"]!.DeepClone().AsObject();
        if (tokenSession is not null)
        {
            Merge(session, tokenSession);
        }

        var audio = session["audio"];
        if (!ClientAudioFormat.TryReadRate(audio?["input"]?["format"], out var inputRate)
            || !ClientAudioFormat.TryReadRate(audio?["output"]?["format"], out var outputRate))
        {
            return null;
        }

        // The model is chosen when the upstream connection opens; session.update must not try to change it.
        session.Remove("model");
        return new EffectiveSession(session, inputRate, outputRate);
    }

    /// <summary>The session.update the upstream gets: everything, with PCM at 24 kHz both ways.</summary>
    public JsonObject ToUpstreamUpdate()
    {
        var session = Session.DeepClone().AsObject();
        ClientAudioFormat.Replace(session, "input", ClientAudioFormat.UpstreamRate);
        ClientAudioFormat.Replace(session, "output", ClientAudioFormat.UpstreamRate);
        return new JsonObject { ["type"] = "session.update", ["session"] = session };
    }

    /// <summary>Overlays <paramref name="patch"/> on <paramref name="target"/>.</summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(patch);
        foreach (var (key, value) in patch)
        {
            // Only the containers merge; turn_detection, transcription, formats and tools are replaced whole, so a
            // switch from server_vad to semantic_vad does not inherit server_vad's threshold.
            if (key is "audio" or "input" or "output" && value is JsonObject patchChild && target[key] is JsonObject targetChild)
            {
                Merge(targetChild, patchChild);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }
}
