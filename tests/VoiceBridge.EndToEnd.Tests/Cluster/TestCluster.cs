using Npgsql;
using StackExchange.Redis;

namespace VoiceBridge.EndToEnd.Tests.Cluster;

/// <summary>
/// Three server processes configured as one cluster: the same Redis (under a key prefix of their own), the same
/// PostgreSQL tables (trail and recordings), the same secrets, the balancer's URL as their public URL. Instances keep
/// their ports across restarts, as pods keep their Service.
/// </summary>
internal sealed class TestCluster(string redis, string postgres) : IAsyncDisposable
{
    private readonly string _prefix = "vbtest-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly string _table = "audit_cluster_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-cluster-").FullName;
    private Dictionary<string, string> _environment = [];

    public List<ClusterInstance> Instances { get; } = [];

    public async Task StartAsync(IReadOnlyList<int> ports, Uri upstream, Uri publicBase)
    {
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Twilio__AuthToken"] = BridgeUnderTest.AuthToken,
            ["Twilio__PublicBaseUrl"] = publicBase.AbsoluteUri,
            ["Browser__TokenSecret"] = "cluster-test-browser-token-secret-0123456789",
            ["Upstream__Endpoint"] = upstream.AbsoluteUri,
            ["Audit__Directory"] = _auditDirectory,
            ["Audit__Sink"] = "Postgres",
            ["Audit__ConnectionString"] = postgres,
            ["Audit__Table"] = _table,
            ["Audit__RecordingTable"] = _table + "_wav",
            ["Audit__AdminKeys__0"] = BridgeUnderTest.AdminKey,
            ["Cluster__Redis"] = redis,
            ["Cluster__KeyPrefix"] = _prefix,
            ["Cluster__DirectoryTtlSeconds"] = "3",
            // Longer than any test call: a drained instance waits for its calls to end on their own.
            ["Shutdown__DrainSeconds"] = "60",
        };
        var names = new[] { "vb-a", "vb-b", "vb-c" };
        for (var i = 0; i < ports.Count; i++)
        {
            Instances.Add(new ClusterInstance(names[i], ports[i]));
        }

        await Task.WhenAll(Instances.Select(StartProcessAsync));
    }

    /// <summary>Starts the instance again on its port (after a drain or a kill) and waits until it is ready.</summary>
    public async Task RestartAsync(ClusterInstance instance)
    {
        await instance.Process.DisposeAsync();
        await StartProcessAsync(instance);
    }

    /// <summary>The index of the instance whose output has a line with both texts (-1: none).</summary>
    public int IndexWithLine(string text, string also) =>
        Instances.FindIndex(instance => instance.Process.Output.Split('\n').Any(line => line.Contains(text, StringComparison.Ordinal) && line.Contains(also, StringComparison.Ordinal)));

    /// <summary>Waits until one of the instances logs that the call started.</summary>
    public async Task WaitStartedAsync(string callSid)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var waits = Instances.Select(instance => instance.WaitForLineAsync(callSid, "started, stream", TimeSpan.FromSeconds(30))).ToList();
        var first = await Task.WhenAny(waits);
        await first;
    }

    /// <summary>The directory's Redis key of a call (Cluster/RedisCallDirectory's layout).</summary>
    public string DirectoryKey(string callId) => _prefix + "call:" + callId;

    public ConfigurationOptions RedisConfiguration(bool admin)
    {
        var options = ConfigurationOptions.Parse(redis);
        options.AllowAdmin = admin;
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Instances)
        {
            if (instance.Process is not null)
            {
                await instance.Process.DisposeAsync();
            }
        }

        await using (var connection = new NpgsqlConnection(postgres))
        {
            await connection.OpenAsync(CancellationToken.None);
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {_table}; DROP TABLE IF EXISTS {_table}_wav", connection);
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }

        Directory.Delete(_auditDirectory, recursive: true);
    }

    private async Task StartProcessAsync(ClusterInstance instance)
    {
        var environment = new Dictionary<string, string?>(_environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value))
        {
            ["Cluster__InstanceId"] = instance.InstanceId,
            // The dashboard names an instance by this (with a random suffix per process).
            ["Ops__InstanceName"] = instance.InstanceId,
        };
        instance.Process = BridgeProcess.Launch(environment, new BridgeLaunch { Port = instance.Port });
        await instance.Process.WaitForLineAsync("Application started", TimeSpan.FromSeconds(90));
        await instance.Process.WaitForLineAsync("connected to Redis", TimeSpan.FromSeconds(30));
    }
}
