using System.Collections.Concurrent;

namespace VoiceBridge.Server.Security;

/// <summary>The single-instance replay set: one <see cref="SingleUseNonces"/> per scope, in this process's memory.</summary>
internal sealed class InMemoryNonceStore(TimeProvider time) : ISingleUseNonceStore
{
    private readonly ConcurrentDictionary<string, SingleUseNonces> _scopes = new(StringComparer.Ordinal);

    public ValueTask<NonceUse> TryUseAsync(string scope, string nonce, DateTimeOffset expires, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_scopes.GetOrAdd(scope, static _ => new SingleUseNonces()).TryUse(nonce, expires, time.GetUtcNow()) ? NonceUse.First : NonceUse.Replayed);
}
