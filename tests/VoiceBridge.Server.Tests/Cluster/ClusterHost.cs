using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Realtime.Transport;
using VoiceBridge.Server.Tests.Audit;
using VoiceBridge.Server.Tests.Sessions;

namespace VoiceBridge.Server.Tests.Cluster;

/// <summary>One in-process instance of a test cluster: the real host with <c>Cluster:Redis</c>, its own scripted upstream.</summary>
internal sealed class ClusterHost : IDisposable
{
    public const string AdminKey = "admin-key-for-cluster-tests-0123456789";
    public const string AuthToken = "twilio-auth-token-for-cluster-tests";

    private readonly string _auditDirectory = Directory.CreateTempSubdirectory("voicebridge-cluster-").FullName;

    public ClusterHost(string instanceId, string redis, string prefix, string table, params (string Key, string Value)[] settings)
    {
        InstanceId = instanceId;
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("Audit:Directory", _auditDirectory);
            host.UseSetting("Audit:AdminKeys:0", AdminKey);
            host.UseSetting("Audit:Sink", "Postgres");
            host.UseSetting("Audit:ConnectionString", TestPostgres.ConnectionString());
            host.UseSetting("Audit:Table", table);
            host.UseSetting("Audit:RecordingTable", table + "_wav");
            host.UseSetting("Twilio:AuthToken", AuthToken);
            host.UseSetting("Twilio:PublicBaseUrl", "https://bridge.example.com");
            host.UseSetting("Browser:TokenSecret", "cluster-test-browser-secret-0123456789");
            host.UseSetting("Cluster:Redis", redis);
            host.UseSetting("Cluster:KeyPrefix", prefix);
            host.UseSetting("Cluster:InstanceId", instanceId);
            host.UseSetting("Cluster:DirectoryTtlSeconds", "3");
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }

            host.ConfigureServices(services => services.AddSingleton<IRealtimeConnector>(Upstream));
        });
    }

    public string InstanceId { get; }

    public ScriptedUpstream Upstream { get; } = new();

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Admin()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(_auditDirectory, recursive: true);
    }
}
