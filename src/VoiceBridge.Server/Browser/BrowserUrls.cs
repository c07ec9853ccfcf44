namespace VoiceBridge.Server.Browser;

/// <summary>Paths of the browser feature: OpenAI's, so SDK clients only change their base URL.</summary>
internal static class BrowserUrls
{
    public const string RealtimePath = "/v1/realtime";
    public const string ClientSecretsPath = "/v1/realtime/client_secrets";

    /// <summary>
    /// Development-only: the demo page's token source (<see cref="BrowserOptions.DemoPage"/>). Not under <c>/v1</c>, so
    /// nobody mistakes it for part of the OpenAI-compatible API.
    /// </summary>
    public const string DemoTokenPath = "/demo/client_secret";

    /// <summary>The subprotocol browsers offer and we echo
    /// (docs/protocols/openai-realtime.md#connecting-over-websocket).</summary>
    public const string RealtimeSubprotocol = "realtime";

    /// <summary>Browsers cannot set headers on a WebSocket, so they send the key as a subprotocol with this prefix.</summary>
    public const string KeySubprotocolPrefix = "openai-insecure-api-key.";
}
