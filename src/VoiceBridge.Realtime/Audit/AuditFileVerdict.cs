namespace VoiceBridge.Realtime.Audit;

/// <summary>What <c>voicebridge audit verify</c> says of one file of an audit directory.</summary>
public enum AuditFileVerdict
{
    /// <summary>Sealed, the seal holds, and it agrees with the index (when there is one).</summary>
    Sealed,

    /// <summary>An unsealed trail (written without <c>Audit:SigningKey</c>): the chain holds, but anyone can recompute it.</summary>
    Unsealed,

    /// <summary>A call still running (its process's index is open): no close record yet, nothing to check it against.</summary>
    Live,

    /// <summary>The process stopped with the call open; the trail holds what its index says was durable.</summary>
    Interrupted,

    /// <summary>Changed, truncated, missing, renamed, or not verifiable with the keys given.</summary>
    Broken,
}
