using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Security;
using VoiceBridge.Server.Hosting;

namespace VoiceBridge.Server.Browser;

/// <summary>
/// <c>POST /v1/realtime/client_secrets</c>: an app's backend, holding a bridge API key, mints a short-lived,
/// single-use client token for one browser, optionally fixing that client's session (same shapes as OpenAI's,
/// docs/protocols/openai-realtime.md#ephemeral-client-secrets).
/// </summary>
internal static partial class ClientSecretsEndpoint
{
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(
        HttpContext context,
        [FromServices] IOptions<BrowserOptions> options,
        [FromServices] ClientTokens tokens,
        [FromServices] SessionPolicy policy,
        [FromServices] ILoggerFactory loggers)
    {
        var settings = options.Value;
        if (!HasBridgeKey(context.Request, settings))
        {
            LogRefused(loggers.CreateLogger("VoiceBridge.Browser"));
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_api_key", "A valid bridge API key is required (Authorization: Bearer …).", null);
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        if (body is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_json", "The body is not a valid client secret request.", null);
            return;
        }

        // Before any parse: a repeated key means one session to us and maybe another to whoever else reads it, and
        // JsonObject throws on one (this was a 500).
        if (RealtimeJsonKeys.TryFindDuplicate(body.Value.Span, out var duplicate))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, ClientErrorCodes.DuplicateKey,
                $"The body repeats the key '{duplicate}'; each key may appear once per object.", null);
            return;
        }

        var request = Deserialize(body.Value.Span);
        if (request is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_json", "The body is not a valid client secret request.", null);
            return;
        }

        var seconds = request.ExpiresAfter?.Seconds ?? settings.TokenLifetimeSeconds;
        if (seconds is < 10 or > 7200 || request.ExpiresAfter?.Anchor is { } anchor && anchor != "created_at")
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_value", "expires_after needs anchor 'created_at' and 10–7200 seconds.", "expires_after");
            return;
        }

        JsonObject? session = null;
        if (request.Session is { ValueKind: not JsonValueKind.Null } element)
        {
            session = JsonNode.Parse(element.GetRawText(), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
            var (problem, param) = session is null ? ("session must be an object.", "session") : CheckSession(session, policy);
            if (problem is not null)
            {
                await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_value", problem, param);
                return;
            }

            session!.Remove("model");
        }

        var effective = EffectiveSession.Build(policy, session);
        if (effective is null)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, "invalid_value", "Only {\"type\":\"audio/pcm\"} at 16000, 24000 or 48000 Hz is supported.", "session.audio");
            return;
        }

        await WriteSecretAsync(context, tokens, settings, policy, effective, session, seconds);
    }

    /// <summary>Mints a token fixing <paramref name="session"/> and answers with it and the session the client will see.</summary>
    public static Task WriteSecretAsync(HttpContext context, ClientTokens tokens, BrowserOptions settings, SessionPolicy policy, EffectiveSession effective, JsonObject? session, int seconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(effective);
        var (value, expiresAt) = tokens.Mint(TimeSpan.FromSeconds(seconds), session?.ToJsonString());
        var shown = effective.Session.DeepClone().AsObject();
        new SessionFieldFilter(settings.ClientMayChangePaths(), settings.ExposeTools).ShapeForClient(shown, effective.InputRate, effective.OutputRate);
        shown["model"] = policy.Model;
        context.Response.StatusCode = StatusCodes.Status200OK;
        return context.Response.WriteAsJsonAsync(new ClientSecretResponse { Value = value, ExpiresAt = expiresAt, Session = shown }, BrowserJsonContext.Default.ClientSecretResponse);
    }

    // The minting backend is trusted with the session (it holds a bridge key), except what one upstream cannot
    // honour: another model, or a non-realtime session.
    private static (string? Message, string? Param) CheckSession(JsonObject session, SessionPolicy policy)
    {
        if (session["type"] is JsonNode type && (type.GetValueKind() != JsonValueKind.String || type.GetValue<string>() != "realtime"))
        {
            return ("Only 'realtime' sessions are served.", "session.type");
        }

        if (session["model"] is JsonNode model && (model.GetValueKind() != JsonValueKind.String || model.GetValue<string>() != policy.Model))
        {
            return ($"This bridge serves the model '{policy.Model}' only.", "session.model");
        }

        return (null, null);
    }

    private static bool HasBridgeKey(HttpRequest request, BrowserOptions settings) =>
        KeyList.Contains(settings.ApiKeys, BearerToken(request));

    public static string? BearerToken(HttpRequest request) => KeyList.BearerToken(request);

    // The body, at most MaxBodyBytes; null when larger. An empty body is an empty request.
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request) =>
        await RequestBody.ReadAtMostAsync(request, MaxBodyBytes) is { } body ? body : null;

    private static ClientSecretRequest? Deserialize(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return new ClientSecretRequest();
        }

        try
        {
            return JsonSerializer.Deserialize(body, BrowserJsonContext.Default.ClientSecretRequest);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message, string? param)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        var error = new RealtimeErrorDetail { Type = RealtimeErrorDetail.InvalidRequestError, Code = code, Message = message, Param = param };
        return context.Response.WriteAsJsonAsync(new HttpErrorBody(error), BrowserJsonContext.Default.HttpErrorBody);
    }

    [LoggerMessage(EventId = 1310, Level = LogLevel.Warning, Message = "Client secret refused: missing or unknown bridge API key")]
    private static partial void LogRefused(ILogger logger);
}
