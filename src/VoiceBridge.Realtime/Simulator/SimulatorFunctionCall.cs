namespace VoiceBridge.Realtime.Simulator;

/// <summary>A scripted function call: the response carries a function_call item with these arguments.</summary>
public sealed record SimulatorFunctionCall
{
    public required string Name { get; init; }

    /// <summary>The arguments JSON, sent as a string in three deltas like the fixture.</summary>
    public string Arguments { get; init; } = "{}";

    /// <summary>Also speak (echo) after the call in the same response; default: the call only.</summary>
    public bool ThenSpeak { get; init; }
}
