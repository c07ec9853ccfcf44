namespace VoiceBridge.Server.Security;

/// <summary>
/// The replay set behind every single-use value the bridge accepts (call tokens, client tokens, and any signed webhook
/// with an id): the first presentation of a nonce in a scope is accepted, every later one is a replay until the nonce's
/// own expiry, after which the value's expiry check refuses it anyway. In memory by default (one instance); with
/// <c>Cluster:Redis</c> an atomic set-if-absent with that expiry in Redis, so a replay is refused by every instance.
/// </summary>
internal interface ISingleUseNonceStore
{
    /// <summary>Spends <paramref name="nonce"/> in <paramref name="scope"/> (a short fixed name per kind of value).</summary>
    /// <param name="scope">Which kind of value: nonces of different kinds never collide.</param>
    /// <param name="nonce">The value's unique part.</param>
    /// <param name="expires">When the value stops being valid anyway; the store forgets the nonce then.</param>
    /// <param name="cancellationToken">Cancels the wait for a shared store.</param>
    ValueTask<NonceUse> TryUseAsync(string scope, string nonce, DateTimeOffset expires, CancellationToken cancellationToken);
}
