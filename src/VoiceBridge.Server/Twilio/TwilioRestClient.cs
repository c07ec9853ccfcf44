using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Twilio;

/// <summary>
/// Twilio's REST API (2010-04-01) through a typed <see cref="HttpClient"/> whose base address is
/// <c>Twilio:ApiBaseUrl</c> (tests point it at a fake in-process server). HTTP Basic with AccountSid:AuthToken,
/// form-encoded bodies, JSON answers (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).
/// Timeouts and one retry on 5xx come from the resilience handler registered with it.
/// </summary>
internal sealed partial class TwilioRestClient(HttpClient http, IOptions<TwilioOptions> options, ILogger<TwilioRestClient> logger)
{
    public const string ApiVersion = "2010-04-01";

    /// <summary>Whether AccountSid and AuthToken are configured (else every request fails without being sent).</summary>
    public bool IsConfigured => !string.IsNullOrEmpty(options.Value.AccountSid) && !string.IsNullOrEmpty(options.Value.AuthToken);

    /// <summary>Replaces a live call's TwiML (transfer: <c>&lt;Dial&gt;</c>); the running stream stops
    /// (docs/protocols/twilio-media-streams.md#ending-or-transferring-a-call-over-rest).</summary>
    public Task<TwilioRestResult> UpdateCallAsync(string callSid, string twiml, CancellationToken cancellationToken) =>
        PostAsync($"Calls/{Uri.EscapeDataString(callSid)}.json", [new("Twiml", twiml)], cancellationToken);

    /// <summary>Starts an outbound call; Twilio requests <paramref name="url"/> for its TwiML once the callee answers.</summary>
    public Task<TwilioRestResult> CreateCallAsync(string to, string from, Uri url, CancellationToken cancellationToken) =>
        PostAsync("Calls.json", [new("To", to), new("From", from), new("Url", url.ToString()), new("Method", "POST")], cancellationToken);

    private async Task<TwilioRestResult> PostAsync(string resource, KeyValuePair<string, string>[] form, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!IsConfigured)
        {
            return TwilioRestResult.Failed(null, "Twilio:AccountSid and Twilio:AuthToken are required for Twilio REST requests.");
        }

        var path = $"{ApiVersion}/Accounts/{Uri.EscapeDataString(settings.AccountSid!)}/{resource}";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(form),
        };
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(settings.AccountSid + ":" + settings.AuthToken));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var answer = TryRead(body);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var message = answer?.Message ?? "no error message";
                LogFailed(logger, ResourcePath(path), status, answer?.Code, message);
                return TwilioRestResult.Failed(status, string.Create(CultureInfo.InvariantCulture, $"Twilio answered HTTP {status}: {message}"));
            }

            return new TwilioRestResult(true, status, answer?.Sid, answer?.Status, null);
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(logger, ex.HttpRequestError);
            return TwilioRestResult.Failed(null, "Twilio's REST API could not be reached.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The resilience pipeline's timeout.
            LogUnreachable(logger, HttpRequestError.Unknown);
            return TwilioRestResult.Failed(null, "Twilio's REST API did not answer in time.");
        }
    }

    // Logged without the account part of the path: short lines, and one less identifier in the logs.
    private static string ResourcePath(string full) => full[(full.LastIndexOf('/') + 1)..];

    private static TwilioCallResource? TryRead(byte[] body)
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize(body, TwilioRestJsonContext.Default.TwilioCallResource);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1110, Level = LogLevel.Warning, Message = "Twilio REST {Resource} failed: HTTP {Status}, Twilio code {Code}: {Message}")]
    private static partial void LogFailed(ILogger logger, string resource, int status, int? code, string message);

    [LoggerMessage(EventId = 1111, Level = LogLevel.Warning, Message = "Twilio REST request failed before an answer ({Error})")]
    private static partial void LogUnreachable(ILogger logger, HttpRequestError error);
}
