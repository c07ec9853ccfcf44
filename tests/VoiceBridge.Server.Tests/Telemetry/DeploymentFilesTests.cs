using System.Text.RegularExpressions;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>
/// No Docker engine runs on our machines, so the docker/ files are checked against the repository instead: the image
/// builds the project these tests build, runs as non-root with its data in a volume that user owns and a readiness
/// health check, and the compose file mounts that volume and points at files that exist. (docker/validate.sh also
/// parses the YAML when python3 is present; UnprivilegedServerTests runs the published server the way the image does.)
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private const string DataDirectory = "/data";

    private static readonly string Root = FindRoot();

    [Fact]
    public void Dockerfile_PublishesTheServerProjectTheTestsBuild_AsNonRootWithAHealthCheck()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(Root, "docker", "Dockerfile"));
        var stages = dockerfile.Where(line => line.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2, "multi-stage: an SDK stage builds, a runtime stage runs");

        var publish = Assert.Single(dockerfile, line => line.StartsWith("RUN dotnet publish ", StringComparison.Ordinal));
        var project = publish.Split(' ')[3];
        Assert.True(File.Exists(Path.Combine(Root, project)), project);
        var serverTests = File.ReadAllText(Path.Combine(Root, "tests", "VoiceBridge.Server.Tests", "VoiceBridge.Server.Tests.csproj"));
        Assert.Contains(@"..\..\" + project.Replace('/', '\\'), serverTests, StringComparison.Ordinal);

        foreach (var copy in dockerfile.Where(line => line.StartsWith("COPY ", StringComparison.Ordinal) && !line.Contains("--from", StringComparison.Ordinal)))
        {
            var sources = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
            Assert.All(sources, source => Assert.True(Path.Exists(Path.Combine(Root, source)), $"{copy}: {source} is not in the repository"));
        }

        var runtime = dockerfile.SkipWhile(line => line != stages[^1]).ToList();
        var user = Assert.Single(runtime, line => line.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8084", runtime);

        // Readiness is what the health check reports: /readyz fails while the audit sink cannot write.
        var health = string.Join(' ', runtime.SkipWhile(line => !line.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)).TakeWhile(line => line.Length > 0 && !line.StartsWith('#')));
        Assert.Contains("GET /readyz", health, StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/8084", health, StringComparison.Ordinal);

        // The data directory: created and owned by the runtime user before it is declared a volume (a change after
        // VOLUME is discarded), and the audit trail configured inside it.
        var volumeAt = runtime.FindIndex(line => line.StartsWith("VOLUME ", StringComparison.Ordinal));
        Assert.True(volumeAt > 0, "the runtime stage declares a VOLUME");
        var volume = runtime[volumeAt]["VOLUME ".Length..].Trim();
        Assert.Equal(DataDirectory, volume);
        var chown = runtime.FindIndex(line => line.StartsWith("RUN ", StringComparison.Ordinal) && line.Contains("chown", StringComparison.Ordinal) && line.Contains(volume, StringComparison.Ordinal));
        Assert.InRange(chown, 0, volumeAt - 1);
        Assert.Contains(user["USER ".Length..].Trim(), runtime[chown], StringComparison.Ordinal);
        Assert.True(runtime.IndexOf(user) > volumeAt, "USER after the data directory is prepared");
        Assert.Contains(runtime, line => line.Trim().StartsWith("Audit__Directory=" + volume + "/", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_RunsTheImageWithACollectorAndJaeger_FromFilesThatExist()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker", "docker-compose.yml"));
        Assert.DoesNotContain('\t', compose);
        var servicesBlock = compose[compose.IndexOf("\nservices:\n", StringComparison.Ordinal)..];
        var end = servicesBlock.IndexOf("\nvolumes:\n", StringComparison.Ordinal);
        Assert.True(end > 0, "a top-level volumes: section declares the data volume");
        var services = ServiceNames().Matches(servicesBlock[..end]).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["bridge", "collector", "jaeger"], services);
        Assert.Contains("  data:", servicesBlock[end..], StringComparison.Ordinal);
        Assert.Contains("- data:" + DataDirectory + "\n", compose, StringComparison.Ordinal);
        // The admin key comes from the environment or docker/.env, never a literal in the file.
        Assert.Matches(@"\n      Audit__AdminKeys__0: \$\{VOICEBRIDGE_ADMIN_KEY(:-)?\}\n", compose);
        Assert.Contains("dockerfile: docker/Dockerfile", compose, StringComparison.Ordinal);
        Assert.Contains("\"8084:8084\"", compose, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT: http://collector:4317", compose, StringComparison.Ordinal);
        Assert.Contains("./otel-collector.yaml:", compose, StringComparison.Ordinal);

        var collector = File.ReadAllText(Path.Combine(Root, "docker", "otel-collector.yaml"));
        Assert.DoesNotContain('\t', collector);
        Assert.Contains("endpoint: jaeger:4317", collector, StringComparison.Ordinal);
        Assert.Contains("exporters: [otlp/jaeger", collector, StringComparison.Ordinal);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "VoiceBridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("VoiceBridge.sln not found above " + AppContext.BaseDirectory);
    }

    // Two-space indented keys directly under "services:".
    [GeneratedRegex(@"^  ([a-z][a-z0-9-]*):\s*$", RegexOptions.Multiline)]
    private static partial Regex ServiceNames();
}
