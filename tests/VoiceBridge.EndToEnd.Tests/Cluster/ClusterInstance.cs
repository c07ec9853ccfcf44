namespace VoiceBridge.EndToEnd.Tests.Cluster;

/// <summary>One instance of the test cluster: its name, its fixed port behind nginx, and its current process.</summary>
internal sealed class ClusterInstance(string instanceId, int port)
{
    public string InstanceId { get; } = instanceId;

    public int Port { get; } = port;

    public Uri BaseUri { get; } = new($"http://127.0.0.1:{port}");

    public BridgeProcess Process { get; set; } = null!;

    public Task<string> WaitForLineAsync(string text, string also, TimeSpan timeout) => Process.WaitForLineAsync(text, also, timeout);

    public Task KillAsync() => Process.KillAsync();
}
