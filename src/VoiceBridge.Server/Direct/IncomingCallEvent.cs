namespace VoiceBridge.Server.Direct;

/// <summary>An OpenAI webhook event; <c>realtime.call.incoming</c> carries <see cref="Data"/> (docs/protocols/openai-webhooks.md).</summary>
internal sealed record IncomingCallEvent
{
    public string? Id { get; init; }

    public string? Type { get; init; }

    public long? CreatedAt { get; init; }

    public IncomingCallData? Data { get; init; }
}
