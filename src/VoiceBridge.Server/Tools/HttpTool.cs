using System.Text;
using System.Text.Json;

namespace VoiceBridge.Server.Tools;

/// <summary>
/// A tool answered by an HTTP endpoint from <c>Tools:Http</c>: POST sends the arguments as the JSON body, GET as query
/// parameters; a 2xx body becomes the function output. Every other outcome becomes an output that says what went
/// wrong in words the model can pass on ("the order system did not answer"), never an exception and never a stuck turn.
/// </summary>
internal sealed partial class HttpTool : ITool
{
    /// <summary>Outputs are capped: the model's context is small (32k tokens,
    /// docs/protocols/openai-realtime.md#session-lifetime-and-limits) and one tool must not fill it.</summary>
    public const int MaxOutputChars = 16 * 1024;

    private readonly HttpClient _http;
    private readonly HttpToolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HttpTool(string name, HttpToolOptions options, JsonElement parameters, HttpClient http, TimeProvider time, ILogger logger)
    {
        Name = name;
        Description = options.Description;
        Parameters = parameters;
        _options = options;
        _http = http;
        _time = time;
        _logger = logger;
    }

    public string Name { get; }

    public string Description { get; }

    public JsonElement Parameters { get; }

    public async ValueTask<ToolResult> InvokeAsync(ToolCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds);
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var request = BuildRequest(call);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var body = await ReadCappedAsync(response.Content, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogHttpError(_logger, Name, (int)response.StatusCode);
                return ToolResult.Failure($"The {Name} service answered with an error (HTTP {(int)response.StatusCode}); the request did not go through.");
            }

            return new ToolResult(body.Length == 0 ? ToolResult.Json(("status", "ok")) : body);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            LogTimedOut(_logger, Name, timeout.TotalSeconds);
            return ToolResult.Failure($"The {Name} service did not answer within {timeout.TotalSeconds:0.#} seconds.");
        }
        catch (HttpRequestException ex)
        {
            LogUnreachable(_logger, Name, ex.HttpRequestError);
            return ToolResult.Failure($"The {Name} service could not be reached.");
        }
    }

    private HttpRequestMessage BuildRequest(ToolCall call)
    {
        HttpRequestMessage request;
        if (_options.Method.Equals("GET", StringComparison.OrdinalIgnoreCase))
        {
            var query = new StringBuilder();
            foreach (var property in call.Arguments.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(property.Name)).Append('=').Append(Uri.EscapeDataString(value));
            }

            var endpoint = _options.Endpoint!.ToString();
            var separator = _options.Endpoint.Query.Length > 0 && query.Length > 0 ? "&" + query.ToString(1, query.Length - 1) : query.ToString();
            request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint + separator));
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint)
            {
                Content = new StringContent(call.Arguments.GetRawText(), Encoding.UTF8, "application/json"),
            };
        }

        foreach (var (name, value) in _options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        // The endpoint can tie the request to the call and deduplicate retries by the function call's id.
        request.Headers.TryAddWithoutValidation("X-VoiceBridge-Call", call.LiveCallId);
        request.Headers.TryAddWithoutValidation("X-VoiceBridge-Tool-Call", call.CallId);
        return request;
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(await content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        var buffer = new char[MaxOutputChars];
        var read = 0;
        int chunk;
        while (read < buffer.Length && (chunk = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += chunk;
        }

        return new string(buffer, 0, read);
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Warning, Message = "Tool {Tool}: the endpoint answered HTTP {Status}")]
    private static partial void LogHttpError(ILogger logger, string tool, int status);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Warning, Message = "Tool {Tool}: no answer within {Seconds} s")]
    private static partial void LogTimedOut(ILogger logger, string tool, double seconds);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Tool {Tool}: the endpoint could not be reached ({Error})")]
    private static partial void LogUnreachable(ILogger logger, string tool, HttpRequestError error);
}
