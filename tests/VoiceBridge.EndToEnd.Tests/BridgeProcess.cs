using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VoiceBridge.EndToEnd.Tests;

/// <summary>
/// The built server dll in its own process on 127.0.0.1 (a free port), so a test can send it a real SIGTERM. Its
/// console output is watched line by line: tests await a log line instead of sleeping.
/// </summary>
internal sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(string Text, string Also, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Lock _lock = new();

    private BridgeProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static async Task<BridgeProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var bridge = Launch(environment.ToDictionary(pair => pair.Key, pair => (string?)pair.Value), new BridgeLaunch());
        await bridge.WaitForLineAsync("Application started", TimeSpan.FromSeconds(30));
        return bridge;
    }

    /// <summary>
    /// Starts the server as <paramref name="launch"/> says without waiting for it to listen (a test may expect it to
    /// refuse to start). A null value in <paramref name="environment"/> removes a variable this process would pass on.
    /// </summary>
    public static BridgeProcess Launch(IReadOnlyDictionary<string, string?> environment, BridgeLaunch launch)
    {
        var port = launch.Port ?? FreePort();
        var directory = launch.ServerDirectory ?? AppContext.BaseDirectory;
        var start = new ProcessStartInfo(launch.RunAs.Count > 0 ? launch.RunAs[0] : "dotnet")
        {
            WorkingDirectory = launch.WorkingDirectory ?? directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launch.RunAs.Count > 0)
        {
            foreach (var argument in launch.RunAs.Skip(1))
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(Path.Combine(directory, "VoiceBridge.Server.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var bridge = new BridgeProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => bridge.OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => bridge.OnLine(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bridge;
    }

    /// <summary>Completes with the first output line containing <paramref name="text"/> (already seen or still to come).</summary>
    public Task<string> WaitForLineAsync(string text, TimeSpan timeout) => WaitForLineAsync(text, text, timeout);

    /// <summary>Completes with the first output line containing both <paramref name="text"/> and <paramref name="also"/>.</summary>
    public async Task<string> WaitForLineAsync(string text, string also, TimeSpan timeout)
    {
        TaskCompletionSource<string> seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var earlier = _lines.Find(line => line.Contains(text, StringComparison.Ordinal) && line.Contains(also, StringComparison.Ordinal));
            if (earlier is not null)
            {
                return earlier;
            }

            _waiters.Add((text, also, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{text}' within {timeout}; output so far:\n{Output}");
        }
    }

    /// <summary>SIGTERM, as an orchestrator stops a container (Process.Kill would be SIGKILL).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL: no shutdown code runs; the process's sockets are reset by the kernel.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (line.Contains(_waiters[i].Text, StringComparison.Ordinal) && line.Contains(_waiters[i].Also, StringComparison.Ordinal))
                {
                    _waiters[i].Seen.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A port nothing listens on now (for a process started later on a port of its own).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
