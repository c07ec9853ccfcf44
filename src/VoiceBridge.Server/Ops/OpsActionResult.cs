namespace VoiceBridge.Server.Ops;

/// <summary>The answer to an operator's action from the dashboard (the same outcome the admin API answers with).</summary>
/// <param name="Ok">True when the action was carried out.</param>
/// <param name="Status">The admin API's status for it (202, 200, 400, 404, 409, 502).</param>
/// <param name="Message">Why it was refused or failed; null when carried out.</param>
/// <param name="State">The call's state after it (<c>ending</c>, <c>transferring</c>, …).</param>
internal sealed record OpsActionResult(bool Ok, int Status, string? Message, string? State);
