namespace VoiceBridge.Realtime.Simulator.Calls;

/// <summary>What a calls request came to, as an HTTP status (201 created, 200 done, 400, 401, 404, 409, 503).</summary>
public sealed record SimulatorCallResult(int Status, string? Error = null, SimulatorCall? Call = null, string? AnswerSdp = null)
{
    public bool Succeeded => Status is >= 200 and < 300;
}
