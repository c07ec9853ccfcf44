namespace VoiceBridge.Server.Browser;

/// <summary>
/// <c>error.code</c> values the bridge itself sends to clients. <c>invalid_value</c>, <c>rate_limit_exceeded</c> and
/// <c>invalid_json</c>-style codes follow what OpenAI sends (docs/protocols/openai-realtime.md#errors); the others are
/// the bridge's.
/// </summary>
internal static class ClientErrorCodes
{
    public const string InvalidJson = "invalid_json";
    public const string InvalidValue = "invalid_value";
    public const string ForbiddenParameter = "forbidden_parameter";
    public const string UnsupportedFormat = "unsupported_audio_format";
    public const string BinaryFrame = "binary_frames_not_supported";
    public const string MessageTooLarge = "message_too_large";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string TooManyRefused = "too_many_invalid_events";
    public const string AuditBudgetExceeded = "audit_budget_exceeded";
    public const string DuplicateKey = "duplicate_key";
    public const string InternalError = "internal_error";
}
