using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Upstream;
using VoiceBridge.Server.Core;

namespace VoiceBridge.Server.Upstream;

/// <summary>
/// Configuration section <c>Upstream</c>: which realtime service calls go to and how the session is set up.
/// Environment: <c>Upstream__ApiKey</c> etc., plus the conventional <c>OPENAI_API_KEY</c> /
/// <c>AZURE_OPENAI_API_KEY</c> when no key is configured.
/// </summary>
internal sealed class UpstreamOptions : IValidatableObject
{
    public const string SectionName = "Upstream";

    /// <summary>Conventional variables read when <see cref="ApiKey"/> is not configured.</summary>
    public const string OpenAIKeyVariable = "OPENAI_API_KEY";

    public const string AzureOpenAIKeyVariable = "AZURE_OPENAI_API_KEY";

    /// <summary>Conventional variable read when <see cref="WebhookSecret"/> is not configured.</summary>
    public const string WebhookSecretVariable = "OPENAI_WEBHOOK_SECRET";

    /// <summary>
    /// Unset: <see cref="UpstreamProvider.OpenAI"/> when a key is configured or <c>OPENAI_API_KEY</c> is set,
    /// <see cref="UpstreamProvider.AzureOpenAI"/> when only <c>AZURE_OPENAI_API_KEY</c> is set, otherwise the
    /// simulator. Resolved once at startup; never null afterwards.
    /// </summary>
    [EnumDataType(typeof(UpstreamProvider), ErrorMessage = "Upstream:Provider must be Simulator, OpenAI or AzureOpenAI.")]
    public UpstreamProvider? Provider { get; set; }

    /// <summary>Azure: the resource URL. Otherwise: the URL of any GA-compatible server (ws, wss, http or https).</summary>
    public string? Endpoint { get; set; }

    /// <summary>The secret. Never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The model id (OpenAI) or the deployment name (Azure OpenAI).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Upstream:Model must not be empty.")]
    public string Model { get; set; } = UpstreamSettings.DefaultModel;

    /// <summary><c>marin</c> and <c>cedar</c> are OpenAI's recommended GA voices.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Upstream:Voice must not be empty.")]
    public string Voice { get; set; } = "marin";

    public string? Instructions { get; set; }

    /// <summary>Input transcription model (for example <c>gpt-4o-mini-transcribe</c>); unset means no transcription.</summary>
    public string? TranscriptionModel { get; set; }

    [ValidateObjectMembers]
    public UpstreamTurnDetectionOptions TurnDetection { get; set; } = new();

    /// <summary><see cref="UpstreamAudioFormat.Pcm24k"/> (transcode, the default) or <see cref="UpstreamAudioFormat.Pcmu"/> (pass μ-law through).</summary>
    [EnumDataType(typeof(UpstreamAudioFormat), ErrorMessage = "Upstream:AudioFormat must be Pcm24k or Pcmu.")]
    public UpstreamAudioFormat AudioFormat { get; set; } = UpstreamAudioFormat.Pcm24k;

    [KeyedRange(typeof(TimeSpan), "00:00:00.1", "00:05:00", ErrorMessage = "Upstream:ConnectTimeout must be between 00:00:00.1 and 00:05:00.")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [KeyedRange(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Upstream:KeepAliveInterval must be between 00:00:01 and 00:10:00.")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    [KeyedRange(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Upstream:KeepAliveTimeout must be between 00:00:01 and 00:10:00.")]
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [KeyedRange(typeof(TimeSpan), "00:00:00.1", "00:01:00", ErrorMessage = "Upstream:CloseTimeout must be between 00:00:00.1 and 00:01:00.")]
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages of each kind (audio, control) that may wait to be sent upstream; 256 × 20 ms ≈ 5 s of audio.</summary>
    [KeyedRange(1, 65_536, ErrorMessage = "Upstream:SendQueueCapacity must be between 1 and 65536.")]
    public int SendQueueCapacity { get; set; } = 256;

    /// <summary>
    /// The <c>whsec_…</c> secret OpenAI signs its webhooks with (<c>realtime.call.incoming</c> for SIP calls;
    /// docs/protocols/openai-webhooks.md). Unset: <c>OPENAI_WEBHOOK_SECRET</c>; neither: every webhook is refused.
    /// </summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How direct WebRTC offers are posted to the upstream's <c>/calls</c>: <c>ApiKey</c> (multipart, default) or <c>EphemeralKey</c> (Azure).</summary>
    [EnumDataType(typeof(RealtimeCallsAuth), ErrorMessage = "Upstream:CallsAuth must be ApiKey or EphemeralKey.")]
    public RealtimeCallsAuth CallsAuth { get; set; } = RealtimeCallsAuth.ApiKey;

    /// <summary>Azure only: <c>webrtcfilter=on</c>, so a WebRTC browser's data channel does not see instructions and tool traffic.</summary>
    public bool WebRtcFilter { get; set; }

    /// <summary>True when calls go over a WebSocket (any provider but the in-process simulator).</summary>
    internal bool UsesWebSocket => Provider is not (null or UpstreamProvider.Simulator) || !string.IsNullOrEmpty(Endpoint);

    /// <summary>Fills the key from the conventional variables and resolves an unset provider (see <see cref="Provider"/>).</summary>
    internal void ApplyFallbacks(IConfiguration configuration)
    {
        var openAIKey = configuration[OpenAIKeyVariable];
        var azureKey = configuration[AzureOpenAIKeyVariable];
        Provider ??= !string.IsNullOrEmpty(ApiKey) || !string.IsNullOrEmpty(openAIKey) ? UpstreamProvider.OpenAI
            : !string.IsNullOrEmpty(azureKey) ? UpstreamProvider.AzureOpenAI
            : UpstreamProvider.Simulator;
        if (string.IsNullOrEmpty(WebhookSecret))
        {
            WebhookSecret = configuration[WebhookSecretVariable];
        }

        if (string.IsNullOrEmpty(ApiKey))
        {
            ApiKey = Provider switch
            {
                UpstreamProvider.OpenAI => openAIKey,
                UpstreamProvider.AzureOpenAI => azureKey,
                _ => null,
            };
        }
    }

    /// <summary>The connection snapshot for the Realtime client.</summary>
    internal UpstreamSettings ToSettings() => new()
    {
        Provider = Provider ?? UpstreamProvider.Simulator,
        Endpoint = string.IsNullOrEmpty(Endpoint) ? null : new Uri(Endpoint, UriKind.Absolute),
        ApiKey = ApiKey,
        Model = Model,
        ConnectTimeout = ConnectTimeout,
        KeepAliveInterval = KeepAliveInterval,
        KeepAliveTimeout = KeepAliveTimeout,
        CloseTimeout = CloseTimeout,
        SendQueueCapacity = SendQueueCapacity,
        CallsAuth = CallsAuth,
        WebRtcFilter = WebRtcFilter,
    };

    /// <summary>The session configuration every call gets (what <c>session.update</c> carries).</summary>
    internal SessionPolicy ToSessionPolicy() => new()
    {
        Model = Model,
        Instructions = Instructions,
        Voice = Voice,
        TranscriptionModel = string.IsNullOrEmpty(TranscriptionModel) ? null : TranscriptionModel,
        PassthroughMulaw = AudioFormat == UpstreamAudioFormat.Pcmu,
        TurnDetection = TurnDetection.Type switch
        {
            "none" => null,
            RealtimeTurnDetection.SemanticVad => new RealtimeTurnDetection
            {
                Type = RealtimeTurnDetection.SemanticVad,
                Eagerness = TurnDetection.Eagerness,
                CreateResponse = TurnDetection.CreateResponse,
                InterruptResponse = TurnDetection.InterruptResponse,
            },
            _ => new RealtimeTurnDetection
            {
                Type = RealtimeTurnDetection.ServerVad,
                Threshold = TurnDetection.Threshold,
                PrefixPaddingMs = TurnDetection.PrefixPaddingMs,
                SilenceDurationMs = TurnDetection.SilenceDurationMs,
                CreateResponse = TurnDetection.CreateResponse,
                InterruptResponse = TurnDetection.InterruptResponse,
            },
        },
    };

    /// <summary>Rules across keys; the attribute rules above cover single values.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider is UpstreamProvider.OpenAI or UpstreamProvider.AzureOpenAI && string.IsNullOrEmpty(ApiKey))
        {
            var variable = Provider == UpstreamProvider.OpenAI ? OpenAIKeyVariable : AzureOpenAIKeyVariable;
            yield return new ValidationResult(
                $"Upstream:ApiKey is required for provider {Provider} (or set {variable}).", [nameof(ApiKey)]);
        }

        if (Provider == UpstreamProvider.AzureOpenAI && string.IsNullOrEmpty(Endpoint))
        {
            yield return new ValidationResult(
                "Upstream:Endpoint is required for provider AzureOpenAI: the resource URL, e.g. https://<resource>.openai.azure.com.",
                [nameof(Endpoint)]);
        }

        if (!string.IsNullOrEmpty(WebhookSecret) && !Security.StandardWebhooks.TryReadKey(WebhookSecret, out _))
        {
            yield return new ValidationResult(
                $"Upstream:WebhookSecret (or {WebhookSecretVariable}) must be a whsec_ secret: 'whsec_' followed by the base64 of at least 16 bytes.",
                [nameof(WebhookSecret)]);
        }

        if (WebRtcFilter && Provider != UpstreamProvider.AzureOpenAI)
        {
            yield return new ValidationResult("Upstream:WebRtcFilter is an Azure OpenAI option (webrtcfilter=on); set Upstream:Provider to AzureOpenAI or leave it off.", [nameof(WebRtcFilter)]);
        }

        if (!string.IsNullOrEmpty(Endpoint)
            && !(Uri.TryCreate(Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "ws" or "wss" or "http" or "https"))
        {
            yield return new ValidationResult(
                "Upstream:Endpoint must be an absolute ws, wss, http or https URL.", [nameof(Endpoint)]);
        }
    }
}
