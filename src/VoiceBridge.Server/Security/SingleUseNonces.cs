using System.Collections.Concurrent;

namespace VoiceBridge.Server.Security;

/// <summary>
/// The replay set behind single-use tokens (Twilio call tokens, browser client tokens): a nonce is accepted once
/// and remembered until its token would have expired anyway, after which the expiry check rejects it. Expired
/// entries are pruned every 64 checks, so the set stays as small as the tokens still alive.
/// </summary>
internal sealed class SingleUseNonces
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);
    private long _checksSincePrune;

    /// <summary>True the first time <paramref name="nonce"/> is presented; false for every replay.</summary>
    public bool TryUse(string nonce, DateTimeOffset expires, DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _checksSincePrune) % 64 == 0)
        {
            foreach (var (used, usedExpires) in _used)
            {
                if (usedExpires <= now)
                {
                    _used.TryRemove(used, out _);
                }
            }
        }

        return _used.TryAdd(nonce, expires);
    }
}
