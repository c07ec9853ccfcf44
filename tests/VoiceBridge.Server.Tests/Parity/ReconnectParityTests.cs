using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// A reconnect settles the call's session like the first connect did, on every transport: a new upstream session that
/// refuses the server's session.update never carries the call (no replay, no caller audio); the next attempt does.
/// </summary>
public sealed class ReconnectParityTests
{
    private static readonly UpstreamReconnect Quick = new() { Attempts = 3, Backoff = TimeSpan.FromMilliseconds(10) };

    [Theory]
    [MemberData(nameof(ParityCall.Transports), MemberType = typeof(ParityCall))]
    public async Task NewSessionThatRefusesTheCallsSession_IsNotUsed_TheNextAttemptCarriesTheCall(string transport)
    {
        var first = new ScriptedUpstream();
        var refusing = new ScriptedUpstream { ConfirmsSession = false };
        var third = new ScriptedUpstream();
        var connector = new UpstreamSequence(first, refusing, third);
        await using var call = await ParityCall.CreateAsync(transport, first, connector, reconnect: Quick);
        await call.SettledAsync();
        first.Push("""{"type":"conversation.item.input_audio_transcription.completed","event_id":"e","item_id":"item_u1","content_index":0,"transcript":"When do you open?"}""");
        await first.DrainedAsync();

        // The second session answers the call's session.update with an error: the policy was refused.
        refusing.Push("""{"type":"error","event_id":"e","error":{"type":"invalid_request_error","code":"invalid_value","message":"Invalid value.","param":"session.audio.output.voice"}}""");
        first.PushEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "going away"));

        Assert.Equal("session.update", (await third.NextControlAsync())["type"]!.GetValue<string>());
        var replay = await third.NextControlAsync();
        Assert.Equal("conversation.item.create", replay["type"]!.GetValue<string>());
        Assert.Equal("When do you open?", replay["item"]!["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("response.create", (await third.NextControlAsync())["type"]!.GetValue<string>());

        // The refusing session got the session.update and nothing after it.
        Assert.Equal("session.update", (await refusing.NextAsync())["type"]!.GetValue<string>());
        Assert.False(refusing.TryNext(out _));
        Assert.Equal(3, connector.Connects);
        Assert.False(call.Run.IsCompleted);
    }
}
