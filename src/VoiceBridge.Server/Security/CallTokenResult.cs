namespace VoiceBridge.Server.Security;

/// <summary>The outcome of checking the per-call token a Media Stream presents in its <c>start</c> message.</summary>
internal enum CallTokenStatus
{
    Valid = 0,
    Missing,
    Malformed,
    BadSignature,
    Expired,
    WrongCall,
    Replayed,

    /// <summary>The shared replay set could not be asked (<c>Cluster:Redis</c> unreachable): refused, not spent.</summary>
    Unavailable,
}

/// <summary>A checked call token: its status, and for a valid one the caller it was minted for.</summary>
internal readonly record struct CallTokenResult(CallTokenStatus Status, string? Caller = null)
{
    public bool IsValid => Status == CallTokenStatus.Valid;
}
