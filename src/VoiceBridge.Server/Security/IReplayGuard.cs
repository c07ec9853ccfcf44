namespace VoiceBridge.Server.Security;

/// <summary>
/// Remembers ids that may be used once (a webhook's <c>webhook-id</c>, a token's nonce) until they would be refused
/// anyway. In memory for one instance (<see cref="InMemoryReplayGuard"/>); several instances behind a balancer need one
/// shared set (a Redis <c>SET key NX PX</c> per id does it), hence the asynchronous shape and the scope, which keeps one
/// kind of id apart from another in a shared store.
/// </summary>
internal interface IReplayGuard
{
    /// <summary>True the first time <paramref name="id"/> is presented in <paramref name="scope"/>; false for every replay until <paramref name="keepUntil"/>.</summary>
    ValueTask<bool> TryFirstUseAsync(string scope, string id, DateTimeOffset keepUntil, CancellationToken cancellationToken);
}
