using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The official <c>openai</c> npm package (its <c>ws</c>-based realtime client under Node) against the real bridge,
/// configured by base URL only; the script is node-sdk/spoken-turn.mjs, its packages installed by tests/prerequisites.sh.
/// </summary>
[Collection(ExternalClients.Name)]
public sealed class NodeSdkClientTests
{
    private const string BridgeKey = "e2e-bridge-key";

    [Fact]
    public async Task OpenAINpmPackage_CompletesASpokenTurn_ThroughTheBridge_ByBaseUrlOnly()
    {
        var ct = TestContext.Current.CancellationToken;
        var project = Path.Combine(Prerequisite.RepoRoot(), "tests", "VoiceBridge.EndToEnd.Tests", "node-sdk");
        Prerequisite.Require(OnPath("node"), "Node.js (node on PATH)");
        Prerequisite.Require(Directory.Exists(Path.Combine(project, "node_modules", "openai")), "The openai npm package (tests/VoiceBridge.EndToEnd.Tests/node-sdk/node_modules)");
        var work = Directory.CreateTempSubdirectory("voicebridge-node-");
        try
        {
            // The SDK always opens wss:// (openai-node realtime/internal-base: url.protocol = 'wss'), so the bridge
            // serves TLS here with a throwaway certificate that Node is told to trust.
            using var certificate = LoopbackCertificate.Create();
            var caFile = Path.Combine(work.FullName, "bridge-ca.pem");
            await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem(), ct);
            var speechFile = Path.Combine(work.FullName, "speech-24k.pcm");
            await File.WriteAllBytesAsync(speechFile, SpeechFiles.Pcm16(Signals.Voice(seconds: 1.2, silenceAfterSeconds: 0.8, rate: 24000)), ct);
            await using var bridge = await BridgeUnderTest.StartAsync(certificate: certificate, settings: ("Browser:ApiKeys:0", BridgeKey));
            var baseUrl = new Uri(bridge.BaseUri, "v1").AbsoluteUri.Replace("http://", "https://", StringComparison.Ordinal);

            var (exitCode, stdout, stderr) = await RunNodeAsync(project, new Dictionary<string, string>
            {
                ["BRIDGE_BASE_URL"] = baseUrl,
                ["BRIDGE_API_KEY"] = BridgeKey,
                ["SPEECH_PCM"] = speechFile,
                ["NODE_EXTRA_CA_CERTS"] = caFile,
            });

            Assert.True(exitCode == 0, $"node exited {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
            var result = JsonNode.Parse(stdout)!.AsObject();
            var audioBytes = result["audioBytes"]!.GetValue<int>();
            var userTranscript = result["userTranscript"]?.GetValue<string>();
            var assistantTranscript = result["assistantTranscript"]?.GetValue<string>();
            Figures.Report(string.Create(CultureInfo.InvariantCulture,
                $"openai npm 6.49.0 (Node {result["node"]}) via the bridge at {result["url"]}: {audioBytes / 48.0:F0} ms of reply audio, user transcript \"{userTranscript}\", assistant transcript \"{assistantTranscript}\""));
            Assert.Equal("ek_", result["secretPrefix"]!.GetValue<string>());
            Assert.Equal("completed", result["responseStatus"]!.GetValue<string>());
            Assert.Equal(1, result["events"]!["input_audio_buffer.speech_started"]!.GetValue<int>());
            Assert.True(audioBytes >= 48_000, $"{audioBytes} bytes of reply audio");
            Assert.StartsWith("[audio ", userTranscript, StringComparison.Ordinal);
            Assert.StartsWith("[echo ", assistantTranscript, StringComparison.Ordinal);
            Assert.Empty(result["errors"]!.AsArray());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(string project, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node", "spoken-turn.mjs")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // Never a real OpenAI key or base URL from the developer's shell: the script must reach only the bridge.
        start.Environment.Remove("OPENAI_API_KEY");
        start.Environment.Remove("OPENAI_BASE_URL");
        using var node = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(40));
        var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        return (node.ExitCode, (await stdout).Trim(), await stderr);
    }
}
