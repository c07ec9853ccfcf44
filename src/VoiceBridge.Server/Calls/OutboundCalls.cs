using System.Collections.Concurrent;

namespace VoiceBridge.Server.Calls;

/// <summary>
/// Instructions for outbound calls placed through <c>POST /calls/outbound</c>, keyed by the CallSid Twilio's REST answer
/// returned, until the call's stream starts. Twilio fetches the call's TwiML only once the callee answers, after that
/// REST answer, so the entry is always there in time. Entries nobody claims (the callee never answered) expire.
/// </summary>
internal sealed class OutboundCalls(TimeProvider time) : IOutboundInstructions
{
    /// <summary>How long instructions wait for their call's stream.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, (string Instructions, DateTimeOffset Expires)> _pending = new(StringComparer.Ordinal);

    public void Add(string callSid, string instructions)
    {
        var now = time.GetUtcNow();
        foreach (var (sid, entry) in _pending)
        {
            if (entry.Expires <= now)
            {
                _pending.TryRemove(sid, out _);
            }
        }

        _pending[callSid] = (instructions, now + Lifetime);
    }

    public Task AddAsync(string callSid, string instructions, CancellationToken cancellationToken)
    {
        Add(callSid, instructions);
        return Task.CompletedTask;
    }

    public Task<string?> TakeAsync(string callSid, CancellationToken cancellationToken) => Task.FromResult(Take(callSid));

    /// <summary>The instructions for this call, once (null for calls not placed with instructions).</summary>
    public string? Take(string callSid) =>
        _pending.TryRemove(callSid, out var entry) && entry.Expires > time.GetUtcNow() ? entry.Instructions : null;
}
