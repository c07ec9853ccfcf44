namespace VoiceBridge.Server.Direct;

/// <summary>One header of the SIP INVITE, as the webhook lists them.</summary>
internal sealed record SipHeader(string? Name, string? Value);
