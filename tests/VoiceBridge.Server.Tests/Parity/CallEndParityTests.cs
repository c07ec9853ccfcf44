using System.Net.WebSockets;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// The same cause ends a call the same way whatever its transport: the same end reason, the same WebSocket close status
/// and text, and where the caller's protocol can carry it (a Realtime client) an error event saying why.
/// </summary>
public sealed class CallEndParityTests
{
    public enum EndCause
    {
        UpstreamConnectRefused,
        UpstreamRefusesThePolicy,
        UpstreamLostWithoutReconnect,
        CallerFlooding,
        MessageOverTheCap,
        ServerShutdown,
        OperatorHangUp,
    }

    // cause → (end reason, close status, close text, the Realtime client's error code or null for none)
    private static readonly Dictionary<EndCause, (CallEndReason Reason, WebSocketCloseStatus Status, string Text, string? ClientError)> Expected = new()
    {
        [EndCause.UpstreamConnectRefused] = (CallEndReason.UpstreamConnectFailed, WebSocketCloseStatus.InternalServerError, "upstream unavailable", "upstream_unavailable"),
        [EndCause.UpstreamRefusesThePolicy] = (CallEndReason.UpstreamConnectFailed, WebSocketCloseStatus.InternalServerError, "upstream unavailable", "upstream_unavailable"),
        [EndCause.UpstreamLostWithoutReconnect] = (CallEndReason.UpstreamClosed, WebSocketCloseStatus.InternalServerError, "upstream unavailable", "upstream_unavailable"),
        [EndCause.CallerFlooding] = (CallEndReason.CallerFlooding, WebSocketCloseStatus.PolicyViolation, "too many refused messages", "too_many_invalid_events"),
        [EndCause.MessageOverTheCap] = (CallEndReason.MessageTooBig, WebSocketCloseStatus.MessageTooBig, "message too big", "message_too_large"),
        [EndCause.ServerShutdown] = (CallEndReason.ServerShutdown, WebSocketCloseStatus.EndpointUnavailable, "server shutting down", null),
        [EndCause.OperatorHangUp] = (CallEndReason.EndedByBridge, WebSocketCloseStatus.NormalClosure, "call ended by the bridge", null),
    };

    public static TheoryData<EndCause, string> Cases()
    {
        var cases = new TheoryData<EndCause, string>();
        foreach (var cause in Enum.GetValues<EndCause>())
        {
            cases.Add(cause, ParityCall.Twilio);
            cases.Add(cause, ParityCall.Browser);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SameCause_SameEndReason_SameCloseStatus_OnEveryTransport(EndCause cause, string transport)
    {
        var upstream = cause switch
        {
            EndCause.UpstreamConnectRefused => new ScriptedUpstream { RefuseWith = new UpstreamEnd(UpstreamEndReason.ConnectFailed, "connection refused") },
            EndCause.UpstreamRefusesThePolicy => new ScriptedUpstream { ConfirmsSession = false },
            _ => new ScriptedUpstream(),
        };
        await using var call = await ParityCall.CreateAsync(transport, upstream);

        switch (cause)
        {
            case EndCause.UpstreamConnectRefused:
                break;
            case EndCause.UpstreamRefusesThePolicy:
                Assert.Equal("session.update", (await upstream.NextAsync())["type"]!.GetValue<string>());
                upstream.Push("""{"type":"error","event_id":"e","error":{"type":"invalid_request_error","code":"invalid_value","message":"Invalid value: 'nonsense'.","param":"session.audio.output.voice"}}""");
                break;
            case EndCause.UpstreamLostWithoutReconnect:
                await call.SettledAsync();
                upstream.PushEnd(new UpstreamEnd(UpstreamEndReason.ClosedByPeer, "going away"));
                break;
            case EndCause.CallerFlooding:
                await call.SettledAsync();
                for (var i = 0; i <= CallerFlood.DefaultMaxRefused; i++)
                {
                    await call.SendMalformedJsonAsync();
                }

                break;
            case EndCause.MessageOverTheCap:
                await call.SettledAsync();
                await call.SendOversizedAsync();
                break;
            case EndCause.ServerShutdown:
                await call.SettledAsync();
                // What the shutdown drain does to the calls still live when it ends (Shutdown/CallDrain).
                call.Session.Stop(CallEndReason.ServerShutdown, "server shutting down");
                break;
            case EndCause.OperatorHangUp:
                await call.SettledAsync();
                // What POST /calls/{id}/hangup does (Calls/CallControlEndpoints).
                call.Session.Stop(CallEndReason.EndedByBridge, "hung up by an operator");
                break;
        }

        var reason = await call.EndAsync();

        var expected = Expected[cause];
        Assert.Equal(expected.Reason, reason);
        Assert.Equal(expected.Status, call.CloseStatus);
        Assert.Equal(expected.Text, call.CloseDescription);
        if (transport == ParityCall.Browser)
        {
            // The client is told in its own protocol before the close; causes with a clean end get no error.
            var codes = call.Errors.Select(e => e["error"]!["code"]!.GetValue<string>()).ToList();
            if (expected.ClientError is { } code)
            {
                Assert.Equal(code, codes[^1]);
            }
            else
            {
                Assert.Empty(codes);
            }
        }
    }
}
