using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// The upstream's calls resource over HTTP (OpenAI, Azure OpenAI, or the simulator served by <c>voicebridge simulator</c>):
/// <c>POST …/realtime/calls</c> for a browser's offer, <c>/{id}/accept|reject|hangup</c> for control, and sidebands on
/// <c>?call_id=</c> (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands). The key travels in the header the
/// WebSocket handshake uses and is never logged; SDP bodies are never logged either.
/// </summary>
public sealed partial class HttpRealtimeCalls : IRealtimeCalls
{
    private const int MaxAnswerBytes = 64 * 1024;
    private static readonly MediaTypeHeaderValue Sdp = new("application/sdp");

    private readonly HttpClient _http;
    private readonly UpstreamSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly UpstreamRequest _calls;

    /// <param name="http">The client the requests go out on (its handler owns connection pooling).</param>
    /// <param name="settings">The upstream: where, which key, and how offers are posted (<see cref="UpstreamSettings.CallsAuth"/>).</param>
    /// <param name="time">The clock for request timeouts (<see cref="UpstreamSettings.ConnectTimeout"/>).</param>
    /// <param name="loggers">Log output.</param>
    public HttpRealtimeCalls(HttpClient http, UpstreamSettings settings, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        _http = http;
        _settings = settings;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<HttpRealtimeCalls>();
        _calls = UpstreamRequestBuilder.BuildCalls(settings);
    }

    /// <summary>Where offers are posted (host and path; for logs and tests).</summary>
    public Uri CallsUri => _calls.Uri;

    public async ValueTask<RealtimeCallOutcome> CreateAsync(string offerSdp, string sessionJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offerSdp);
        ArgumentNullException.ThrowIfNull(sessionJson);
        HttpRequestMessage request;
        if (_settings.CallsAuth == RealtimeCallsAuth.EphemeralKey)
        {
            var (key, failure) = await MintAsync(sessionJson, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return failure!;
            }

            request = new HttpRequestMessage(HttpMethod.Post, _calls.Uri) { Content = new StringContent(offerSdp, Encoding.UTF8) };
            request.Content.Headers.ContentType = Sdp;
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        else
        {
            // The unified interface: multipart/form-data with the browser's offer unchanged and our session.
            // The form owns its parts and the request owns the form (disposed with it below).
#pragma warning disable CA2000
            var form = new MultipartFormDataContent();
            form.Add(new StringContent(offerSdp, Encoding.UTF8), "sdp");
            form.Add(new StringContent(sessionJson, Encoding.UTF8), "session");
#pragma warning restore CA2000
            request = new HttpRequestMessage(HttpMethod.Post, _calls.Uri) { Content = form };
            Authorize(request);
        }

        using (request)
        {
            return await SendAsync(request, "create", read: true, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<RealtimeCallOutcome> AcceptAsync(string callId, string sessionJson, CancellationToken cancellationToken)
    {
        using var request = Control(callId, "accept", sessionJson);
        return await SendAsync(request, "accept", read: false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RealtimeCallOutcome> RejectAsync(string callId, int sipStatus, CancellationToken cancellationToken)
    {
        using var request = Control(callId, "reject", "{\"status_code\":" + sipStatus.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}");
        return await SendAsync(request, "reject", read: false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<RealtimeCallOutcome> HangupAsync(string callId, CancellationToken cancellationToken)
    {
        using var request = Control(callId, "hangup", null);
        return await SendAsync(request, "hangup", read: false, cancellationToken).ConfigureAwait(false);
    }

    public IRealtimeConnector Sideband(string callId) =>
        new WebSocketRealtimeConnector(_settings, _time, _loggers.CreateLogger<WebSocketRealtimeConnector>(), UpstreamRequestBuilder.BuildSideband(_settings, callId));

    private HttpRequestMessage Control(string callId, string action, string? json)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        var builder = new UriBuilder(_calls.Uri);
        builder.Path = builder.Path.TrimEnd('/') + "/" + Uri.EscapeDataString(callId) + "/" + action;
        var request = new HttpRequestMessage(HttpMethod.Post, builder.Uri);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        Authorize(request);
        return request;
    }

    private void Authorize(HttpRequestMessage request)
    {
        foreach (var (name, value) in _calls.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    // Azure's ephemeral flow: a short-lived key minted with the server's key, the session fixed in it.
    private async ValueTask<(string? Key, RealtimeCallOutcome? Failure)> MintAsync(string sessionJson, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, UpstreamRequestBuilder.ClientSecretsUri(_settings))
        {
            Content = new StringContent("{\"session\":" + sessionJson + "}", Encoding.UTF8, "application/json"),
        };
        Authorize(request);
        using var timeout = Timeout(cancellationToken);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, Fail("mint", (int)response.StatusCode, $"the upstream refused to mint a call key: HTTP {(int)response.StatusCode}"));
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false));
            return document.RootElement.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String
                ? (value.GetString(), null)
                : (null, Fail("mint", (int)response.StatusCode, "the upstream's client secret has no value"));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or IOException)
        {
            return (null, Unreachable("mint", ex, cancellationToken));
        }
    }

    private async ValueTask<RealtimeCallOutcome> SendAsync(HttpRequestMessage request, string action, bool read, CancellationToken cancellationToken)
    {
        using var timeout = Timeout(cancellationToken);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                return Fail(action, status, $"the upstream answered {action} with HTTP {status} ({response.StatusCode})");
            }

            if (!read)
            {
                LogSucceeded(_logger, action, status);
                return RealtimeCallOutcome.Ok(status);
            }

            // The call id is the last segment of Location: /v1/realtime/calls/{call_id}.
            var location = response.Headers.Location?.OriginalString;
            var callId = location?.TrimEnd('/').Split('/')[^1];
            if (string.IsNullOrEmpty(callId))
            {
                return Fail(action, status, "the upstream created the call without a Location header (no call id)");
            }

            var answer = await ReadBoundedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if (answer is null)
            {
                return Fail(action, status, $"the upstream's SDP answer is over {MaxAnswerBytes} bytes or empty");
            }

            LogSucceeded(_logger, action, status);
            return RealtimeCallOutcome.Ok(status, callId, answer);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return Unreachable(action, ex, cancellationToken);
        }
    }

    private static async Task<string?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxAnswerBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            return length is 0 or > MaxAnswerBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
        }
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.ConnectTimeout);
        return timeout;
    }

    private RealtimeCallOutcome Fail(string action, int? status, string description)
    {
        LogFailed(_logger, action, status, description);
        return RealtimeCallOutcome.Failed(status, description);
    }

    private RealtimeCallOutcome Unreachable(string action, Exception ex, CancellationToken cancellationToken)
    {
        var description = cancellationToken.IsCancellationRequested ? "cancelled"
            : ex is OperationCanceledException ? $"no answer within {_settings.ConnectTimeout.TotalSeconds:0.###} s"
            : "upstream unreachable: " + (ex.InnerException ?? ex).Message;
        return Fail(action, ex is HttpRequestException { StatusCode: HttpStatusCode code } ? (int)code : null, description);
    }

    [LoggerMessage(EventId = 2110, Level = LogLevel.Debug, Message = "Upstream call {Action}: HTTP {Status}")]
    private static partial void LogSucceeded(ILogger logger, string action, int status);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Upstream call {Action} failed: HTTP status {Status}: {Description}")]
    private static partial void LogFailed(ILogger logger, string action, int? status, string description);
}
