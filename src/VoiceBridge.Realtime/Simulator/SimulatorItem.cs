namespace VoiceBridge.Realtime.Simulator;

/// <summary>What the simulator remembers of a conversation item (for truncate validation and usage).</summary>
internal sealed class SimulatorItem(string id, string role)
{
    public string Id { get; } = id;

    /// <summary>user / assistant / system / function_call / function_call_output.</summary>
    public string Role { get; } = role;

    /// <summary>Audio duration of the item's audio content; grows while an assistant item streams, shrinks on truncate.</summary>
    public int AudioMs { get; set; }
}
