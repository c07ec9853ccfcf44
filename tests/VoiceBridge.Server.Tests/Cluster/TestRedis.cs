using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VoiceBridge.Server.Tests.Cluster;

/// <summary>
/// The Redis server tests/run.sh starts on loopback (VOICEBRIDGE_TEST_REDIS, host:port), and the binary for tests that
/// stop and restart a Redis of their own (VOICEBRIDGE_TEST_REDIS_SERVER). Missing: a failure in CI, a skip with the
/// reason elsewhere.
/// </summary>
internal static class TestRedis
{
    public static string Address() => Require("VOICEBRIDGE_TEST_REDIS");

    /// <summary>A key prefix of its own per test, so tests share one Redis.</summary>
    public static string NewPrefix() => "vbtest-" + Guid.NewGuid().ToString("N")[..10] + ":";

    /// <summary>Starts redis-server on <paramref name="port"/> (a free one when 0) in the foreground of a child process.</summary>
    public static async Task<(Process Server, int Port)> StartOwnAsync(int port = 0)
    {
        var binary = Require("VOICEBRIDGE_TEST_REDIS_SERVER");
        if (port == 0)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(binary, ["--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        return (process, port);
    }

    private static string Require(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }

        var message = $"{variable} is not set: run tests/run.sh, which installs Redis when missing and starts it on 127.0.0.1.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return "";
    }
}
