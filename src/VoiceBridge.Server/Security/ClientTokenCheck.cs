namespace VoiceBridge.Server.Security;

/// <summary>A checked client token: its status and, for a valid one, the session JSON it fixes (null when none).</summary>
internal readonly record struct ClientTokenCheck(ClientTokenStatus Status, string? SessionJson = null)
{
    public bool IsValid => Status == ClientTokenStatus.Valid;
}
