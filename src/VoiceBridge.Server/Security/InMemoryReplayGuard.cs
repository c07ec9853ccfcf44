using System.Collections.Concurrent;

namespace VoiceBridge.Server.Security;

/// <summary>The replay set of one instance: a <see cref="SingleUseNonces"/> per scope.</summary>
internal sealed class InMemoryReplayGuard(TimeProvider time) : IReplayGuard
{
    private readonly ConcurrentDictionary<string, SingleUseNonces> _scopes = new(StringComparer.Ordinal);

    public ValueTask<bool> TryFirstUseAsync(string scope, string id, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_scopes.GetOrAdd(scope, static _ => new SingleUseNonces()).TryUse(id, keepUntil, time.GetUtcNow()));
}
