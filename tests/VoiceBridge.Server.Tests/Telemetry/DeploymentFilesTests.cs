using System.Text.RegularExpressions;

namespace VoiceBridge.Server.Tests.Telemetry;

/// <summary>
/// No Docker engine runs on our machines, so the docker/ files are checked against the repository instead: the image
/// builds the project these tests build, runs as non-root with a health check, and the compose file points at files
/// that exist. (docker/validate.sh also parses the YAML when python3 is present.)
/// </summary>
public sealed partial class DeploymentFilesTests
{
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
        Assert.Contains(runtime, line => line.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.Contains(runtime, line => line.Contains("/healthz", StringComparison.Ordinal));
        Assert.Contains("EXPOSE 8084", runtime);
    }

    [Fact]
    public void Compose_RunsTheImageWithACollectorAndJaeger_FromFilesThatExist()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "docker", "docker-compose.yml"));
        Assert.DoesNotContain('\t', compose);
        var services = ServiceNames().Matches(compose).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["bridge", "collector", "jaeger"], services);
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
