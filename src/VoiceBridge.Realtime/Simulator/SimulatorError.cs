namespace VoiceBridge.Realtime.Simulator;

/// <summary>A scripted error event (shaped like docs/protocols/openai-realtime.md#errors).</summary>
public sealed record SimulatorError
{
    public string Type { get; init; } = "server_error";

    public string Code { get; init; } = "server_error";

    public string Message { get; init; } = "The simulator was scripted to fail here.";
}
