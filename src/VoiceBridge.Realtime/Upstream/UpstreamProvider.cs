namespace VoiceBridge.Realtime.Upstream;

/// <summary>Which realtime service a session talks to.</summary>
public enum UpstreamProvider
{
    /// <summary>The built-in simulator (in process, or over a WebSocket when an endpoint is given).</summary>
    Simulator = 0,

    /// <summary><c>wss://api.openai.com/v1/realtime</c> with <c>Authorization: Bearer</c>.</summary>
    OpenAI,

    /// <summary>Azure OpenAI GA: <c>wss://&lt;resource&gt;/openai/v1/realtime?model=&lt;deployment&gt;</c> with <c>api-key</c>.</summary>
    AzureOpenAI,
}
