using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Realtime.Protocol;

namespace VoiceBridge.Cli.Simulator;

/// <summary>
/// The simulator's direct-call surface over HTTP, as the API has it (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands):
/// <c>POST /v1/realtime/calls</c> (multipart <c>sdp</c> + <c>session</c> with a key, or a raw <c>application/sdp</c> offer
/// with a key minted at <c>POST /v1/realtime/client_secrets</c>), <c>POST /v1/realtime/calls/{id}/accept|reject|hangup|refer</c>;
/// and its own test hooks under <c>/sim</c>: the model-side page and its socket, each call's media socket, and
/// <c>POST /sim/sip</c> to place a SIP call (announced with a signed webhook). Like the simulator's WebSocket, it takes
/// any key or none as the server's key; only a raw offer needs a key minted here, which carries the call's session.
/// </summary>
internal sealed class SimulatorCallsEndpoints(SimulatorCalls calls, Func<SimulatorWebhooks?> webhooks, TimeProvider time)
{
    public const string CallsPath = "/v1/realtime/calls";
    public const string ClientSecretsPath = "/v1/realtime/client_secrets";
    public const string PeerPagePath = "/sim/peer.html";
    public const string PeerSocketPath = "/sim/peer";
    public const string SipPath = "/sim/sip";

    private const int MaxBodyBytes = 256 * 1024;
    private readonly ConcurrentDictionary<string, (string? Session, DateTimeOffset Expires)> _ephemeral = new(StringComparer.Ordinal);

    public void Map(WebApplication app)
    {
        app.MapPost(CallsPath, CreateAsync);
        app.MapPost(CallsPath + "/{id}/{action}", ControlAsync);
        app.MapPost(ClientSecretsPath, MintAsync);
        app.MapGet(PeerPagePath, context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.Body.WriteAsync(SimulatorPeerPage.Html).AsTask();
        });
        app.Map(PeerSocketPath, PeerAsync);
        app.Map("/sim/calls/{id}/media", MediaAsync);
        app.MapGet("/sim/calls/{id}", StatusAsync);
        app.MapPost(SipPath, PlaceSipCallAsync);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = context.Request;
        string? offer;
        string? session;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.RequestAborted);
            offer = await PartAsync(form, "sdp");
            session = await PartAsync(form, "session");
        }
        else if (request.ContentType?.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase) == true)
        {
            // The raw offer comes with an ephemeral key, which carries the session.
            var key = BearerKey(request);
            if (key is null || !_ephemeral.TryRemove(key, out var minted) || minted.Expires < time.GetUtcNow())
            {
                await ErrorAsync(context, 401, "invalid_api_key", "A raw SDP offer needs a key minted at " + ClientSecretsPath + ".");
                return;
            }

            offer = await ReadBodyAsync(request);
            session = minted.Session;
        }
        else
        {
            await ErrorAsync(context, 415, "unsupported_media_type", "Send multipart/form-data (sdp, session) or application/sdp.");
            return;
        }

        if (string.IsNullOrEmpty(offer))
        {
            await ErrorAsync(context, 400, "missing_required_parameter", "Missing required parameter: 'sdp'.");
            return;
        }

        var result = await calls.CreateWebRtcAsync(offer, session, context.RequestAborted);
        if (!result.Succeeded)
        {
            await ErrorAsync(context, result.Status, "invalid_request_error", result.Error ?? "refused");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = CallsPath + "/" + result.Call!.Id;
        context.Response.ContentType = "application/sdp";
        await context.Response.WriteAsync(result.AnswerSdp!, context.RequestAborted);
    }

    private async Task ControlAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        var action = (string)context.Request.RouteValues["action"]!;
        var body = await ReadBodyAsync(context.Request);
        SimulatorCallResult result;
        switch (action)
        {
            case "accept":
                result = await calls.AcceptAsync(id, string.IsNullOrEmpty(body) ? null : body);
                break;
            case "reject":
                result = calls.Reject(id, ReadInt(body, "status_code"));
                break;
            case "hangup":
                result = calls.Hangup(id);
                break;
            case "refer":
                result = calls.Refer(id, ReadString(body, "target_uri"));
                break;
            default:
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }

        if (!result.Succeeded)
        {
            await ErrorAsync(context, result.Status, "invalid_request_error", result.Error ?? "refused");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private async Task MintAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request);
        string? session = null;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrEmpty(body) ? "{}" : body);
            if (document.RootElement.TryGetProperty("session", out var value) && value.ValueKind == JsonValueKind.Object)
            {
                session = value.GetRawText();
            }
        }
        catch (JsonException)
        {
            await ErrorAsync(context, 400, "invalid_json", "The body is not JSON.");
            return;
        }

        var key = "ek_sim" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var expires = time.GetUtcNow().AddMinutes(10);
        _ephemeral[key] = (session, expires);
        context.Response.ContentType = "application/json";
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("value", key);
            writer.WriteNumber("expires_at", expires.ToUnixTimeSeconds());
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    private async Task PeerAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await SimulatorMediaPeer.RunAsync(socket, calls, context.RequestAborted);
    }

    private async Task MediaAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (calls.Find(id) is not { State: not SimulatorCallState.Ended } call)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        await SimulatorMediaSocket.RunAsync(socket, call, context.RequestAborted);
    }

    private async Task StatusAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (calls.Find(id) is not { } call)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("call_id", call.Id);
            writer.WriteString("kind", call.Kind == SimulatorCallKind.WebRtc ? "webrtc" : "sip");
            writer.WriteString("state", call.State.ToString().ToLowerInvariant());
            writer.WriteString("end_reason", call.Ended.IsCompleted ? call.Ended.Result : null);
            writer.WriteNumber("sidebands_opened", call.SidebandsOpened);
            writer.WriteNumber("audio_in_bytes", call.AudioInBytes);
            writer.WriteNumber("audio_out_bytes", call.AudioOutBytes);
            writer.WriteString("session", call.Session);
            writer.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    // {"from": "+1…", "to"?: "…"}: a SIP call rings, the webhook announces it; answers with its id and the receiver's status.
    private async Task PlaceSipCallAsync(HttpContext context)
    {
        if (webhooks() is not { } sender)
        {
            await ErrorAsync(context, 409, "no_webhook", "Start the simulator with --webhook-url and --webhook-secret to place SIP calls.");
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        var from = ReadString(body, "from") ?? "+15550100000";
        var to = ReadString(body, "to") ?? "sip:proj_simulator@sip.api.openai.com";
        var call = calls.Incoming(
        [
            new("From", from.StartsWith("sip:", StringComparison.Ordinal) || from.StartsWith('<') ? from : $"<sip:{from}@simulator.invalid>;tag=sim"),
            new("To", to),
            new("Call-ID", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + "@simulator.invalid"),
        ]);
        var status = await sender.SendIncomingAsync(call, context.RequestAborted);
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("call_id", call.Id);
            if (status is { } code)
            {
                writer.WriteNumber("webhook_status", code);
            }
            else
            {
                writer.WriteNull("webhook_status");
            }

            writer.WriteEndObject();
        }

        context.Response.StatusCode = status is >= 200 and < 300 ? StatusCodes.Status201Created : StatusCodes.Status502BadGateway;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }

    private static string? BearerKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7)
        {
            return header[7..].Trim();
        }

        // Azure sends its key as api-key.
        return request.Headers.TryGetValue("api-key", out StringValues key) && !StringValues.IsNullOrEmpty(key) ? key.ToString() : null;
    }

    private static async Task<string?> PartAsync(IFormCollection form, string name)
    {
        if (form.TryGetValue(name, out var value) && !StringValues.IsNullOrEmpty(value))
        {
            return value.ToString();
        }

        if (form.Files.GetFile(name) is { } file)
        {
            using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
            return await reader.ReadToEndAsync();
        }

        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var buffer = new char[MaxBodyBytes];
        var read = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted);
        return new string(buffer, 0, read);
    }

    private static string? ReadString(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrEmpty(body) ? "{}" : body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? ReadInt(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrEmpty(body) ? "{}" : body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.TryGetInt32(out var number)
                ? number
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(RealtimeErrorBody.Create(code, message), context.RequestAborted).AsTask();
    }
}
