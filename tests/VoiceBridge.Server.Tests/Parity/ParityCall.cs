using System.Net.WebSockets;
using System.Text.Json.Nodes;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Tests.Browser;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Parity;

/// <summary>
/// One call on either transport, driven the same way: the parity tests run each case on a phone call
/// (<see cref="TwilioCallHarness"/>) and on a browser call (<see cref="BrowserCallHarness"/>) and expect the same outcome.
/// </summary>
internal abstract class ParityCall : IAsyncDisposable
{
    public const string Twilio = "twilio";
    public const string Browser = "browser";

    /// <summary>Both transports, for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Transports => [Twilio, Browser];

    public abstract string Transport { get; }

    public abstract CallSession Session { get; }

    public abstract ScriptedUpstream Upstream { get; }

    public abstract Task<CallEndReason> Run { get; }

    /// <summary>The close the caller got (after <see cref="EndAsync"/>).</summary>
    public abstract WebSocketCloseStatus? CloseStatus { get; }

    public abstract string? CloseDescription { get; }

    /// <summary>Error events the caller was sent in its own protocol (a Realtime client's; a phone has none).</summary>
    public abstract IReadOnlyList<JsonObject> Errors { get; }

    /// <summary>The audit trail's name for this call.</summary>
    public abstract string CallId { get; }

    /// <param name="transport"><see cref="Twilio"/> or <see cref="Browser"/>.</param>
    /// <param name="upstream">The scripted upstream; a new one when null.</param>
    /// <param name="connector">Another upstream connector.</param>
    /// <param name="time">The clock.</param>
    /// <param name="audit">The call's audit recorder.</param>
    /// <param name="control">Call control (tools, idle, operator commands).</param>
    /// <param name="reconnect">The reconnect policy.</param>
    public static async Task<ParityCall> CreateAsync(
        string transport,
        ScriptedUpstream? upstream = null,
        IRealtimeConnector? connector = null,
        TimeProvider? time = null,
        CallRecorder? audit = null,
        CallControlServices? control = null,
        UpstreamReconnect? reconnect = null)
    {
        if (transport == Twilio)
        {
            var call = await TwilioCallHarness.CreateAsync(upstream: upstream, time: time, connector: connector, control: control, reconnect: reconnect, audit: audit);
            await call.SendAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
            await call.SendStartAsync(call.Tokens.Mint(TwilioCallHarness.CallSid, "+14155550100"));
            return new TwilioParityCall(call);
        }

        // The phone leg's cap (64 KiB) for the browser leg too, so one oversized message is the same on both.
        return new BrowserParityCall(await BrowserCallHarness.CreateAsync(
            upstream: upstream, time: time, connector: connector, control: control, reconnect: reconnect, audit: audit,
            settings: new Server.Browser.BrowserSessionSettings { MaxMessageBytes = Server.Twilio.TwilioLeg.MaxCallerMessageBytes }));
    }

    /// <summary>Waits until the upstream got the server's session.update and confirmed it (a client was greeted).</summary>
    public abstract Task SettledAsync();

    /// <summary>A text frame that is not JSON.</summary>
    public abstract Task SendMalformedJsonAsync();

    /// <summary>A JSON event of a type the transport does not have.</summary>
    public abstract Task SendUnknownEventAsync();

    public abstract Task SendBinaryAsync();

    /// <summary>Any text frame.</summary>
    public abstract Task SendTextAsync(string text);

    /// <summary>A message over the leg's 64 KiB cap.</summary>
    public abstract Task SendOversizedAsync();

    /// <summary>Completes once the caller loop has handled everything sent before.</summary>
    public abstract Task SyncCallerLoopAsync();

    /// <summary>Reads to the bridge's close and returns why the call ended.</summary>
    public abstract Task<CallEndReason> EndAsync();

    public abstract ValueTask DisposeAsync();
}
