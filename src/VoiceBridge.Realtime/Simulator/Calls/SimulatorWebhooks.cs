using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>
/// Sends the simulator's <c>realtime.call.incoming</c> webhook for a SIP call, signed as the API signs its webhooks
/// (Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature: v1,&lt;base64 HMAC-SHA256 over
/// "id.timestamp.body"&gt;</c> with the key inside a <c>whsec_</c> secret; docs/protocols/openai-webhooks.md).
/// </summary>
public sealed class SimulatorWebhooks(HttpClient http, Uri url, string secret, TimeProvider time)
{
    /// <summary>The event type of an incoming SIP call.</summary>
    public const string IncomingCallType = "realtime.call.incoming";

    /// <summary>The signature header value (<c>v1,…</c>) for a body.</summary>
    public static string Sign(string secret, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = Convert.FromBase64String(secret.StartsWith("whsec_", StringComparison.Ordinal) ? secret["whsec_".Length..] : secret);
        var prefix = Encoding.UTF8.GetBytes(webhookId + "." + timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    /// <summary>The body of a <c>realtime.call.incoming</c> event for <paramref name="call"/>.</summary>
    public static byte[] IncomingBody(SimulatorCall call, string eventId, long createdAt)
    {
        ArgumentNullException.ThrowIfNull(call);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "event");
            writer.WriteString("id", eventId);
            writer.WriteString("type", IncomingCallType);
            writer.WriteNumber("created_at", createdAt);
            writer.WriteStartObject("data");
            writer.WriteString("call_id", call.Id);
            writer.WriteStartArray("sip_headers");
            foreach (var (name, value) in call.SipHeaders)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("value", value);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Posts the signed webhook for <paramref name="call"/>; returns the receiver's HTTP status, or null when it could not be reached.</summary>
    public async Task<int?> SendIncomingAsync(SimulatorCall call, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var webhookId = "wh_sim" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var body = IncomingBody(call, "evt_sim" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), now);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", now.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret, webhookId, now, body));
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
