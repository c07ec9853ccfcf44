namespace VoiceBridge.Server.Security;

/// <summary>What <see cref="ISingleUseNonceStore.TryUseAsync"/> found.</summary>
internal enum NonceUse
{
    /// <summary>First presentation: accepted, and now spent.</summary>
    First = 0,

    /// <summary>Spent before: a replay.</summary>
    Replayed,

    /// <summary>The shared store could not be asked (Redis unreachable): refused, since a replay could not be ruled out.</summary>
    Unavailable,
}
