namespace VoiceBridge.Server.Calls;

/// <summary>What an operator's action came to, whoever asked: an HTTP status and either the result or why it was refused.</summary>
/// <param name="Status">The status the admin API answers with (202, 200, 400, 404, 409, 502).</param>
/// <param name="Problem">Why the action was refused or failed; null when it was carried out.</param>
/// <param name="Result">The call's state after the action; null when it was refused.</param>
internal sealed record ControlOutcome(int Status, string? Problem, ControlResult? Result)
{
    public bool Succeeded => Result is not null;

    public static ControlOutcome Done(int status, ControlResult result) => new(status, null, result);

    public static ControlOutcome Refused(int status, string problem) => new(status, problem, null);
}
