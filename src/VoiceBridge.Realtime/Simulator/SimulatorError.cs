namespace VoiceBridge.Realtime.Simulator;

/// <summary>A scripted error event (shaped like §6).</summary>
public sealed record SimulatorError
{
    public string Type { get; init; } = "server_error";

    public string Code { get; init; } = "server_error";

    public string Message { get; init; } = "The simulator was scripted to fail here.";
}
