using System.Text;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Direct;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>What a direct call's session asserts over the sideband and what counts as a client overriding it.</summary>
public sealed class DirectSessionTests
{
    private static readonly HashSet<string> MayChange = [.. DirectOptions.DefaultClientMayChange.Split(',')];

    private static readonly SessionPolicy Policy = new()
    {
        Instructions = "server instructions",
        TranscriptionModel = "gpt-4o-mini-transcribe",
        Tools = [new RealtimeTool { Type = "function", Name = "end_call", Description = "end" }],
    };

    [Fact]
    public void TheCallsSession_IsThePolicyWithTheModel_WithoutAudioFormats()
    {
        var session = JsonNode.Parse(DirectSession.Create(Policy, null, MayChange).CallSessionJson())!.AsObject();

        Assert.Equal("realtime", session["type"]!.GetValue<string>());
        Assert.Equal("gpt-realtime", session["model"]!.GetValue<string>());
        Assert.Equal("server instructions", session["instructions"]!.GetValue<string>());
        Assert.Null(session["audio"]!["input"]!["format"]);
        Assert.Null(session["audio"]!["output"]!["format"]);
        Assert.Equal("marin", session["audio"]!["output"]!["voice"]!.GetValue<string>());
    }

    [Fact]
    public void TheSidebandsUpdate_AssertsOnlyWhatTheClientMayNotChange()
    {
        var update = JsonNode.Parse(Text(DirectSession.Create(Policy, null, MayChange).SessionUpdate()))!["session"]!.AsObject();

        Assert.Equal("server instructions", update["instructions"]!.GetValue<string>());
        Assert.Equal("end_call", update["tools"]![0]!["name"]!.GetValue<string>());
        // Voice, transcription and turn detection are the client's to change by default: re-asserting them would undo it.
        Assert.Null(update["audio"]?["output"]?["voice"]);
        Assert.Null(update["audio"]?["input"]?["transcription"]);
    }

    [Fact]
    public void ChangedInstructionsOrTools_AreDrift_AChangedVoiceIsNot()
    {
        var session = DirectSession.Create(Policy, null, MayChange);

        Assert.Empty(session.Drift(Updated("server instructions", ["end_call"], "marin")));
        Assert.Empty(session.Drift(Updated("server instructions", ["end_call"], "verse")));
        Assert.Equal(["instructions"], session.Drift(Updated("client instructions", ["end_call"], "marin")));
        Assert.Equal(["tools"], session.Drift(Updated("server instructions", ["end_call", "steal_data"], "marin")));
    }

    [Fact]
    public void TheBridgesOwnUpdate_MovesWhatIsKept()
    {
        var session = DirectSession.Create(Policy, null, MayChange);

        session.OnServerUpdate(Encoding.UTF8.GetBytes("""{"type":"session.update","session":{"type":"realtime","instructions":"operator instructions"}}"""));

        Assert.Empty(session.Drift(Updated("operator instructions", ["end_call"], "marin")));
        Assert.Equal(["instructions"], session.Drift(Updated("server instructions", ["end_call"], "marin")));
        Assert.Equal("operator instructions", JsonNode.Parse(Text(session.SessionUpdate()))!["session"]!["instructions"]!.GetValue<string>());
    }

    [Fact]
    public void InstructionsThePolicyLeavesToTheUpstream_ArePinnedToTheFirstSessionUpdated()
    {
        var session = DirectSession.Create(new SessionPolicy(), null, MayChange);

        Assert.Empty(session.Drift(Updated("the upstream's default", [], "marin")));
        Assert.Equal(["instructions"], session.Drift(Updated("client instructions", [], "marin")));
    }

    [Fact]
    public void AClientAllowedTheInstructions_MayChangeThem()
    {
        var session = DirectSession.Create(Policy, null, new HashSet<string>(MayChange) { "instructions" });

        Assert.Empty(session.Drift(Updated("client instructions", ["end_call"], "marin")));
    }

    private static byte[] Updated(string instructions, string[] tools, string voice) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["type"] = "session.updated",
        ["session"] = new JsonObject
        {
            ["type"] = "realtime",
            ["instructions"] = instructions,
            ["output_modalities"] = new JsonArray("audio"),
            ["tools"] = new JsonArray([.. tools.Select(name => (JsonNode)new JsonObject { ["type"] = "function", ["name"] = name })]),
            ["tool_choice"] = "auto",
            ["audio"] = new JsonObject { ["output"] = new JsonObject { ["voice"] = voice } },
        },
    }.ToJsonString());

    private static string Text(VoiceBridge.Realtime.Transport.RealtimeMessage message)
    {
        using (message)
        {
            return Encoding.UTF8.GetString(message.Span);
        }
    }
}
