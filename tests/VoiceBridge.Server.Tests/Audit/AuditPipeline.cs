using Microsoft.Extensions.Logging.Abstractions;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

/// <summary>The audit trail, the file sink and the writer wired by hand over a temporary directory.</summary>
internal sealed class AuditPipeline : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly bool _ownsDirectory;

    public AuditPipeline(AuditOptions? options = null, IAuditFileSystem? fileSystem = null, Func<Microsoft.Extensions.Options.IOptions<AuditOptions>, IAuditStore>? store = null)
    {
        if (options is null)
        {
            options = new AuditOptions { Directory = System.IO.Directory.CreateTempSubdirectory("vb-audit-").FullName, FlushIntervalMs = 20 };
            _ownsDirectory = true;
        }

        Options = options;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Trail = new AuditTrail(wrapped, TimeProvider.System);
        Store = store?.Invoke(wrapped) ?? new FileAuditStore(wrapped, fileSystem ?? new PhysicalAuditFileSystem());
        Writer = new AuditWriter(Trail, Store, wrapped, TimeProvider.System, NullLogger<AuditWriter>.Instance);
    }

    public AuditOptions Options { get; }

    public AuditTrail Trail { get; }

    public IAuditStore Store { get; }

    public AuditWriter Writer { get; }

    public Task StartAsync() => Writer.StartAsync(TestContext.Current.CancellationToken);

    public Task StopAsync() => Writer.StopAsync(TestContext.Current.CancellationToken);

    public string[] Files() => System.IO.Directory.GetFiles(Options.Directory, "*.jsonl", SearchOption.AllDirectories);

    public string FileOf(string callId) => Assert.Single(Files(), f => Path.GetFileNameWithoutExtension(f) == callId);

    public AuditVerification Verify(string callId) => AuditVerifier.VerifyFile(FileOf(callId));

    public async ValueTask DisposeAsync()
    {
        await Writer.StopAsync(CancellationToken.None);
        Writer.Dispose();
        if (_ownsDirectory)
        {
            System.IO.Directory.Delete(Options.Directory, recursive: true);
        }
    }
}
