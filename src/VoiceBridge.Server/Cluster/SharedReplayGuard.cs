using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Cluster;

/// <summary>
/// The replay guard of signed webhooks (OpenAI's <c>webhook-id</c>) on the cluster's shared nonce set, so a delivery
/// retried to another instance is recognised there. When Redis cannot be asked, the delivery fails (500): a replay
/// cannot be ruled out, and the sender retries a failed delivery later, when Redis may answer again.
/// </summary>
internal sealed class SharedReplayGuard(ISingleUseNonceStore nonces) : IReplayGuard
{
    public async ValueTask<bool> TryFirstUseAsync(string scope, string id, DateTimeOffset keepUntil, CancellationToken cancellationToken) =>
        await nonces.TryUseAsync(scope, id, keepUntil, cancellationToken).ConfigureAwait(false) switch
        {
            NonceUse.First => true,
            NonceUse.Replayed => false,
            _ => throw new InvalidOperationException("Cluster:Redis is unreachable: the webhook's id cannot be checked for a replay."),
        };
}
