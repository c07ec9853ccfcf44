namespace VoiceBridge.Realtime.Audit;

/// <summary>The first line of a call's audit trail.</summary>
/// <param name="CallId">Twilio CallSid or the browser session id.</param>
/// <param name="Transport"><see cref="AuditFormat.TwilioTransport"/> or <see cref="AuditFormat.BrowserTransport"/>.</param>
/// <param name="Started">When the call was opened (UTC).</param>
/// <param name="Nonce">Random per call, so two calls with equal events never share a chain.</param>
public sealed record AuditHeader(string CallId, string Transport, DateTimeOffset Started, string Nonce);
