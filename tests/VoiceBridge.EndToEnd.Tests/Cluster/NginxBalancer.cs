using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VoiceBridge.EndToEnd.Tests.Cluster;

/// <summary>
/// Debian's nginx (VOICEBRIDGE_TEST_NGINX, installed by tests/prerequisites.sh) on a loopback port in front of the
/// instances: the stand-in for a Kubernetes Service and ingress. Round robin over one worker (so consecutive requests go
/// to consecutive instances), WebSocket upgrades passed through with hour-long timeouts and no buffering, and a refused
/// request (connection refused, 503 from a draining or full instance) tried on the next instance, POST included.
/// </summary>
internal sealed class NginxBalancer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _output = new();

    private NginxBalancer(Process process, string directory, Uri baseUri)
    {
        _process = process;
        _directory = directory;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>Each proxied request: the instance that answered it last, with its status (the access log).</summary>
    public string AccessLog => File.Exists(Path.Combine(_directory, "access.log")) ? File.ReadAllText(Path.Combine(_directory, "access.log")) : "";

    public static string? Binary()
    {
        var configured = Environment.GetEnvironmentVariable("VOICEBRIDGE_TEST_NGINX");
        return !string.IsNullOrEmpty(configured) && File.Exists(configured) ? configured : File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null;
    }

    public static async Task<NginxBalancer> StartAsync(string binary, IReadOnlyList<int> instancePorts)
    {
        var directory = Directory.CreateTempSubdirectory("voicebridge-nginx-").FullName;
        var port = BridgeProcess.FreePort();
        var servers = string.Concat(instancePorts.Select(p => string.Create(CultureInfo.InvariantCulture, $"    server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;\n")));
        var config = $$"""
            worker_processes 1;
            error_log stderr notice;
            pid {{directory}}/nginx.pid;
            events { worker_connections 1024; }
            http {
              log_format upstream '$request_method $uri $status $upstream_addr $upstream_status';
              access_log {{directory}}/access.log upstream;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              upstream voicebridge {
            {{servers}}  }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://voicebridge;
                  proxy_http_version 1.1;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection $connection_upgrade;
                  proxy_set_header Host $http_host;
                  proxy_read_timeout 3600s;
                  proxy_send_timeout 3600s;
                  proxy_buffering off;
                  proxy_connect_timeout 2s;
                  proxy_next_upstream error timeout http_503 non_idempotent;
                  proxy_next_upstream_tries 3;
                }
              }
            }
            """;
        var path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config, TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo(binary, ["-p", directory, "-c", path, "-g", "daemon off; master_process on;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = new Process { StartInfo = start };
        var nginx = new NginxBalancer(process, directory, new Uri($"http://127.0.0.1:{port}"));
        process.ErrorDataReceived += (_, line) => nginx.OnLine(line.Data);
        process.OutputDataReceived += (_, line) => nginx.OnLine(line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => nginx._started.TrySetException(new InvalidOperationException("nginx exited: " + nginx.Output));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        // The master logs this (error_log notice) once its listening socket is open and the worker is forked.
        await nginx._started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return nginx;
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // The whole tree: a worker left behind would keep the output pipes, and the wait for exit, open.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.Contains("start worker process", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
