using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Audit;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

public sealed class AuditRegistrationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddAudit_RunsTheWriter_AndReportsReadiness()
    {
        var directory = Directory.CreateTempSubdirectory("vb-audit-host-").FullName;
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
                builder.WebHost.UseTestServer();
            builder.Configuration["Audit:Directory"] = directory;
            builder.Configuration["Audit:SigningKey"] = VoiceBridge.Tests.Shared.TestAuditDirectory.SigningKey;
            builder.AddAudit();
            await using var app = builder.Build();
            await app.StartAsync(Token);

            var trail = app.Services.GetRequiredService<IAuditTrail>();
            var call = trail.Open("CAhost", AuditFormat.TwilioTransport);
            call.Record(AuditDirection.CallerIn, "start", """{"event":"start"}"""u8);
            call.Complete("caller_hangup");
            await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), Token);
            var health = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Tags.Contains(VoiceBridge.Server.Telemetry.HealthExtensions.ReadyTag), Token);
            await app.StopAsync(Token);

            Assert.True(trail.IsAcceptingCalls);
            Assert.Equal(HealthStatus.Healthy, health.Status);
            Assert.Contains("audit", health.Entries.Keys);
            var file = Assert.Single(Directory.GetFiles(directory, "*.jsonl", SearchOption.AllDirectories));
            Assert.Equal(AuditFileStatus.Complete, AuditVerifier.VerifyFile(file, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys).Status);
            Assert.All(AuditDirectoryVerifier.Verify(directory, VoiceBridge.Tests.Shared.TestAuditDirectory.Keys, requireSealed: true), r => Assert.Equal(AuditFileVerdict.Sealed, r.Verdict));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("Audit:FlushIntervalMs", "0", "Audit:FlushIntervalMs must be between 1 and 10000.")]
    [InlineData("Audit:QueueCapacity", "10", "Audit:QueueCapacity must be between 64 and 10000000.")]
    [InlineData("Audit:Sink", "Postgres", "Audit:ConnectionString is required when Audit:Sink is Postgres.")]
    [InlineData("Audit:Table", "x; drop table y", "Audit:Table must be a lower-case SQL identifier.")]
    [InlineData("Audit:MaxRecordsPerCall", "10", "Audit:MaxRecordsPerCall must be between 1000 and 100000000.")]
    [InlineData("Audit:MaxBytesPerCall", "1024", "Audit:MaxBytesPerCall must be between 65536 and 1099511627776.")]
    [InlineData("Audit:MaxBytesPerMinute", "0", "Audit:MaxBytesPerMinute must be between 65536 and 1099511627776.")]
    [InlineData("Audit:SigningKey", "c2hvcnQ=", "Audit:SigningKey is not usable: the key is 5 bytes; at least 32 are required")]
    [InlineData("Audit:SigningKey", "not base64!", "Audit:SigningKey is not usable: the key is not base64.")]
    public async Task BadSetting_StopsTheBoot_NamingTheKey(string key, string value, string message)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseTestServer();
        builder.Configuration["Audit:Directory"] = VoiceBridge.Tests.Shared.TestAuditDirectory.Path;
        builder.Configuration[key] = value;
        builder.AddAudit();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Token));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditDirectory_ThatCannotBeCreated_StopsTheBoot_NamingTheKeyAndThePath()
    {
        // Below a regular file: no process can create it, root included (the tests run as root, which ignores modes).
        var file = Path.GetTempFileName();
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseTestServer();
            builder.Configuration["Audit:Directory"] = Path.Combine(file, "audit");
            builder.Configuration["Audit:SigningKey"] = VoiceBridge.Tests.Shared.TestAuditDirectory.SigningKey;
            builder.AddAudit();
            await using var app = builder.Build();

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Token));

            Assert.Contains($"Audit:Directory '{Path.Combine(file, "audit")}' cannot be written by this process", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AuditDirectory_ThatIsMissing_IsCreatedAtStartUp_AndKeepsNoProbeFile()
    {
        var parent = Directory.CreateTempSubdirectory("vb-audit-create-").FullName;
        var directory = Path.Combine(parent, "data", "audit");
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseTestServer();
            builder.Configuration["Audit:Directory"] = directory;
            builder.Configuration["Audit:SigningKey"] = VoiceBridge.Tests.Shared.TestAuditDirectory.SigningKey;
            builder.AddAudit();
            await using var app = builder.Build();
            await app.StartAsync(Token);
            await app.StopAsync(Token);

            Assert.True(Directory.Exists(directory));
            Assert.Empty(Directory.GetFileSystemEntries(directory));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task OutsideDevelopment_WithoutASigningKey_TheServerRefusesToStart()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration["Audit:SigningKey"] = "";
        builder.AddAudit();
        await using var app = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Token));

        Assert.Contains("Audit:SigningKey is required outside Development", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InDevelopment_WithoutASigningKey_TrailsAreWrittenUnsealed()
    {
        var directory = Directory.CreateTempSubdirectory("vb-audit-dev-").FullName;
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
            builder.WebHost.UseTestServer();
            builder.Configuration["Audit:Directory"] = directory;
            builder.Configuration["Audit:SigningKey"] = "";
            builder.AddAudit();
            await using var app = builder.Build();
            await app.StartAsync(Token);
            var call = app.Services.GetRequiredService<IAuditTrail>().Open("CAdev", AuditFormat.TwilioTransport);
            call.Complete("caller_hangup");
            await call.Completion.WaitAsync(TimeSpan.FromSeconds(10), Token);
            await app.StopAsync(Token);

            var trail = Assert.Single(AuditDirectoryVerifier.Verify(directory, [], requireSealed: false), r => r.Path.EndsWith("CAdev.jsonl", StringComparison.Ordinal));
            Assert.Equal(AuditFileVerdict.Unsealed, trail.Verdict);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
