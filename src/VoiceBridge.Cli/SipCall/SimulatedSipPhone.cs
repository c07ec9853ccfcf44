using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VoiceBridge.Cli.SipCall;

/// <summary>
/// A phone calling through the simulator's SIP interface: it asks the simulator to ring (<c>POST /sim/sip</c>, which
/// signs and sends <c>realtime.call.incoming</c> to the bridge's webhook), waits for the bridge to accept, speaks PCM
/// over the call's media socket at play speed, listens, and hangs up by leaving (the bridge learns it from its sideband).
/// </summary>
internal sealed class SimulatedSipPhone(HttpClient http, Uri simulator, TimeProvider time)
{
    private const int FrameSamples = 480; // 20 ms at 24 kHz
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    // When the phone stopped speaking (Stopwatch timestamp), for the first-reply figure.
    private long _speechEnded;

    /// <summary>Places the call: <paramref name="speech"/> (PCM16 24 kHz) is said once, then the phone listens for <paramref name="listen"/>.</summary>
    public async Task<SipCallResult> CallAsync(string from, short[] speech, TimeSpan listen, CancellationToken cancellationToken)
    {
        using var placed = await http.PostAsJsonAsync(new Uri(simulator, "/sim/sip"), new JsonObject { ["from"] = from }, SipCallJsonContext.Default.JsonObject, cancellationToken).ConfigureAwait(false);
        var body = await placed.Content.ReadFromJsonAsync(SipCallJsonContext.Default.JsonObject, cancellationToken).ConfigureAwait(false);
        var callId = body?["call_id"]?.GetValue<string>() ?? throw new InvalidOperationException("the simulator did not place the call: HTTP " + (int)placed.StatusCode);
        var webhookStatus = body["webhook_status"]?.GetValue<int>();
        if (!placed.IsSuccessStatusCode || !await AnsweredAsync(callId, cancellationToken).ConfigureAwait(false))
        {
            return new SipCallResult(callId, webhookStatus, false, [], null, await EndReasonAsync(callId, cancellationToken).ConfigureAwait(false));
        }

        using var socket = new ClientWebSocket();
        var media = new UriBuilder(simulator) { Scheme = simulator.Scheme == "https" ? "wss" : "ws", Path = $"/sim/calls/{Uri.EscapeDataString(callId)}/media" }.Uri;
        await socket.ConnectAsync(media, cancellationToken).ConfigureAwait(false);
        var heard = new List<short>();
        long firstReply = 0;
        var listening = ReceiveAsync(socket, heard, at => Interlocked.CompareExchange(ref firstReply, at, 0), cancellationToken);

        var frame = new byte[FrameSamples * 2];
        var silence = (int)(listen.TotalMilliseconds / 20);
        using (var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20), time))
        {
            var frames = (speech.Length + FrameSamples - 1) / FrameSamples;
            for (var i = 0; i < frames + silence && socket.State == WebSocketState.Open; i++)
            {
                Array.Clear(frame);
                if (i < frames)
                {
                    var samples = speech.AsSpan(i * FrameSamples, Math.Min(FrameSamples, speech.Length - (i * FrameSamples)));
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples).CopyTo(frame);
                }

                if (i == frames)
                {
                    Interlocked.Exchange(ref firstReply, 0);
                    _speechEnded = Stopwatch.GetTimestamp();
                }

                await socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                await ticks.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (socket.State == WebSocketState.Open)
        {
            // Hanging up is leaving: the simulator ends the call, the bridge's sideband is closed and answers 404.
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "caller hung up", cancellationToken).ConfigureAwait(false);
        }

        await listening.ConfigureAwait(false);
        var reply = Interlocked.Read(ref firstReply);
        var after = reply > _speechEnded && _speechEnded != 0 ? Stopwatch.GetElapsedTime(_speechEnded, reply) : (TimeSpan?)null;
        return new SipCallResult(callId, webhookStatus, true, [.. heard], after, await EndReasonAsync(callId, cancellationToken).ConfigureAwait(false));
    }

    private static async Task ReceiveAsync(ClientWebSocket socket, List<short> heard, Action<long> onReply, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    continue;
                }

                var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(buffer.AsSpan(0, result.Count & ~1));
                foreach (var sample in samples)
                {
                    // About −34 dBFS: the reply, not its leading silence.
                    if (Math.Abs((int)sample) > 650)
                    {
                        onReply(Stopwatch.GetTimestamp());
                        break;
                    }
                }

                lock (heard)
                {
                    heard.AddRange(samples);
                }
            }
        }
        catch (WebSocketException)
        {
        }
    }

    private async Task<bool> AnsweredAsync(string callId, CancellationToken cancellationToken)
    {
        // The bridge answers the webhook at once and accepts right after; the simulator's status says when.
        var deadline = time.GetTimestamp() + (long)(AnswerTimeout.TotalSeconds * time.TimestampFrequency);
        while (time.GetTimestamp() < deadline)
        {
            switch (await StateAsync(callId, cancellationToken).ConfigureAwait(false))
            {
                case "live":
                    return true;
                case "ended" or null:
                    return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    private async Task<string?> EndReasonAsync(string callId, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 100 && await StateAsync(callId, cancellationToken).ConfigureAwait(false) is "live" or "ringing"; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }

        return (await StatusAsync(callId, cancellationToken).ConfigureAwait(false))?["end_reason"]?.GetValue<string>();
    }

    private async Task<string?> StateAsync(string callId, CancellationToken cancellationToken) =>
        (await StatusAsync(callId, cancellationToken).ConfigureAwait(false))?["state"]?.GetValue<string>();

    private async Task<JsonObject?> StatusAsync(string callId, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(simulator, "/sim/calls/" + Uri.EscapeDataString(callId)), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static string Describe(SipCallResult result) =>
        new StringBuilder()
            .Append("call ").Append(result.CallId)
            .Append(": webhook answered ").Append(result.WebhookStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(unreachable)")
            .Append(result.Answered ? ", accepted" : ", not accepted")
            .Append(", heard ").Append((result.Heard.Length / 24000.0).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)).Append(" s")
            .Append(result.FirstAudioAfterSpeech is { } first ? ", first reply " + first.TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + " ms after the caller stopped" : string.Empty)
            .Append(", ended: ").Append(result.EndReason ?? "(unknown)")
            .ToString();
}
