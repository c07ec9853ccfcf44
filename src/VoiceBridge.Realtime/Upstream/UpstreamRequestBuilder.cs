namespace VoiceBridge.Realtime.Upstream;

/// <summary>
/// Turns settings into the GA handshake (OpenAI Realtime API reference and Microsoft's Azure OpenAI realtime docs:
/// docs/protocols/openai-realtime.md#connecting-over-websocket, #azure-openai). Pure: no I/O, no clock. Never adds an
/// <c>OpenAI-Beta</c> header (it selects the retired beta shape, answered with close 4000) and never an Azure
/// <c>api-version</c> (a documented cause of 401 on the GA path).
/// </summary>
public static class UpstreamRequestBuilder
{
    /// <summary>OpenAI's GA realtime URL, without the model.</summary>
    public static readonly Uri OpenAIRealtimeUri = new("wss://api.openai.com/v1/realtime");

    private const string AzureRealtimePath = "/openai/v1/realtime";

    /// <summary>Builds the handshake for <paramref name="settings"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The settings name no reachable URL (the in-process simulator, or Azure without its resource URL) or the
    /// endpoint has a scheme other than ws, wss, http or https. Startup validation rules these out.
    /// </exception>
    public static UpstreamRequest Build(UpstreamSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);

        if (settings.Provider == UpstreamProvider.AzureOpenAI)
        {
            var resource = settings.Endpoint
                ?? throw new ArgumentException("Azure OpenAI needs the resource URL as its endpoint.", nameof(settings));
            return new UpstreamRequest(AzureUri(resource, settings.Model), Header("api-key", settings.ApiKey));
        }

        var uri = settings.Endpoint is { } endpoint
            ? WithModel(ToWebSocketScheme(endpoint), settings.Model)
            : settings.Provider == UpstreamProvider.OpenAI
                ? WithModel(OpenAIRealtimeUri, settings.Model)
                : throw new ArgumentException(
                    "The in-process simulator has no URL; set an endpoint to reach a simulator served over WebSocket.",
                    nameof(settings));
        return new UpstreamRequest(uri, Header("Authorization", settings.ApiKey is { Length: > 0 } key ? "Bearer " + key : null));
    }

    /// <summary>
    /// The sideband of a direct call: the same realtime URL and key as <see cref="Build"/>, with <c>call_id=</c>
    /// instead of <c>model=</c> (docs/protocols/openai-realtime.md#webrtc-sip-and-sidebands).
    /// </summary>
    public static UpstreamRequest BuildSideband(UpstreamSettings settings, string callId)
    {
        ArgumentException.ThrowIfNullOrEmpty(callId);
        var request = Build(settings);
        var builder = new UriBuilder(request.Uri) { Query = WithoutParameter(request.Uri.Query, "model") };
        var query = builder.Query.TrimStart('?');
        var added = "call_id=" + Uri.EscapeDataString(callId);
        builder.Query = query.Length == 0 ? added : query + "&" + added;
        return request with { Uri = builder.Uri };
    }

    /// <summary>
    /// The calls resource of the same upstream over HTTP (<c>POST …/realtime/calls</c> and its <c>/{id}/accept</c>,
    /// <c>/reject</c>, <c>/hangup</c>, <c>/refer</c>): the realtime URL with <c>ws→http</c>, <c>wss→https</c>, the model
    /// dropped and <c>/calls</c> appended; Azure's <c>webrtcfilter=on</c> when <see cref="UpstreamSettings.WebRtcFilter"/>
    /// (docs/protocols/openai-realtime.md#direct-calls-on-azure). The key header is the handshake's.
    /// </summary>
    public static UpstreamRequest BuildCalls(UpstreamSettings settings)
    {
        var request = Build(settings);
        var builder = new UriBuilder(request.Uri)
        {
            Scheme = request.Uri.Scheme == "wss" ? "https" : "http",
            Query = WithoutParameter(request.Uri.Query, "model"),
        };
        builder.Path = builder.Path.TrimEnd('/') + "/calls";
        if (settings.Provider == UpstreamProvider.AzureOpenAI && settings.WebRtcFilter)
        {
            var query = builder.Query.TrimStart('?');
            builder.Query = query.Length == 0 ? "webrtcfilter=on" : query + "&webrtcfilter=on";
        }

        return request with { Uri = builder.Uri };
    }

    /// <summary><c>POST …/realtime/client_secrets</c> of the same upstream (Azure's ephemeral-key flow for <c>/calls</c>).</summary>
    public static Uri ClientSecretsUri(UpstreamSettings settings)
    {
        var calls = BuildCalls(settings).Uri;
        var builder = new UriBuilder(calls) { Query = string.Empty };
        builder.Path = builder.Path[..^"/calls".Length] + "/client_secrets";
        return builder.Uri;
    }

    private static string WithoutParameter(string query, string name)
    {
        var kept = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(part => !part.StartsWith(name + "=", StringComparison.Ordinal) && part != name);
        return string.Join('&', kept);
    }

    /// <summary>
    /// The resource URL may be given bare (<c>https://x.openai.azure.com</c>), as the v1 base URL
    /// (<c>…/openai/v1</c>), as the full realtime URL, or behind a gateway prefix; its query is dropped because
    /// the GA URL carries only <c>model=&lt;deployment&gt;</c>.
    /// </summary>
    private static Uri AzureUri(Uri resource, string deployment)
    {
        var builder = new UriBuilder(ToWebSocketScheme(resource)) { Query = string.Empty, Fragment = string.Empty };
        var path = builder.Path.TrimEnd('/');
        if (path.EndsWith("/realtime", StringComparison.OrdinalIgnoreCase))
        {
            builder.Path = path;
        }
        else if (path.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase))
        {
            builder.Path = path + "/realtime";
        }
        else
        {
            builder.Path = path + AzureRealtimePath;
        }

        builder.Query = "model=" + Uri.EscapeDataString(deployment);
        return builder.Uri;
    }

    private static Uri ToWebSocketScheme(Uri endpoint)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException($"The upstream endpoint must be an absolute URL, not '{endpoint}'.", nameof(endpoint));
        }

        var scheme = endpoint.Scheme switch
        {
            "wss" or "https" => "wss",
            "ws" or "http" => "ws",
            _ => throw new ArgumentException($"The upstream endpoint scheme must be ws, wss, http or https, not '{endpoint.Scheme}'.", nameof(endpoint)),
        };
        if (scheme == endpoint.Scheme)
        {
            return endpoint;
        }

        // UriBuilder keeps the explicit port; http's 80 and https's 443 are also ws's and wss's defaults.
        return new UriBuilder(endpoint) { Scheme = scheme }.Uri;
    }

    private static Uri WithModel(Uri uri, string model)
    {
        var query = uri.Query.TrimStart('?');
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("model=", StringComparison.Ordinal))
            {
                return uri;
            }
        }

        var added = "model=" + Uri.EscapeDataString(model);
        return new UriBuilder(uri) { Query = query.Length == 0 ? added : query + "&" + added }.Uri;
    }

    private static KeyValuePair<string, string>[] Header(string name, string? value) =>
        string.IsNullOrEmpty(value) ? [] : [new(name, value)];
}
