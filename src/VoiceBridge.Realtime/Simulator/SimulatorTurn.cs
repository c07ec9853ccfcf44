namespace VoiceBridge.Realtime.Simulator;

/// <summary>What the simulator does on one user turn (the first response after that turn's user item).</summary>
public sealed record SimulatorTurn
{
    /// <summary>1-based user turn this applies to.</summary>
    public int Turn { get; init; }

    /// <summary>Answer with this function call instead of (or, with <see cref="SimulatorFunctionCall.ThenSpeak"/>, before) speech.</summary>
    public SimulatorFunctionCall? FunctionCall { get; init; }

    /// <summary>
    /// Several function calls in one response (parallel calls, output indexes 0, 1, …), after <see cref="FunctionCall"/>
    /// when both are set. The response speaks after them only when one of them has <see cref="SimulatorFunctionCall.ThenSpeak"/>.
    /// </summary>
    public IReadOnlyList<SimulatorFunctionCall>? FunctionCalls { get; init; }

    /// <summary>Extra delay before response.created.</summary>
    public int ResponseDelayMs { get; init; }

    /// <summary>An error event emitted when the turn's user item is committed (the response still follows).</summary>
    public SimulatorError? Error { get; init; }
}
