using System.CommandLine;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// <c>voicebridge load --url http://host:port --calls N --duration S [--ramp S] [--auth-token T] [--bridge-pid P]
/// [--json out.json] [--html out.html] [--host-simulator PORT] [--plain-ws]</c>. Exit code 0 when every call was held with no
/// error and no dropped frame, 1 otherwise, 2 for bad arguments.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The bridge's base URL; calls post to {url}/twilio/voice.", Required = true };
        var calls = new Option<int>("--calls") { Description = "Concurrent calls.", DefaultValueFactory = _ => 10 };
        var duration = new Option<double>("--duration") { Description = "Seconds all calls are held together (the measurement window).", DefaultValueFactory = _ => 60 };
        var ramp = new Option<double>("--ramp") { Description = "Seconds over which calls are placed, evenly, before the window.", DefaultValueFactory = _ => 10 };
        var authToken = new Option<string?>("--auth-token") { Description = "Twilio auth token to sign with (default: TWILIO_AUTH_TOKEN; none: unsigned)." };
        var bridgePid = new Option<int?>("--bridge-pid") { Description = "The bridge's process id: CPU and memory are read from /proc/<pid>." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the full report as JSON here." };
        var html = new Option<FileInfo?>("--html") { Description = "Write a self-contained HTML report (histograms, CPU and memory over time) here." };
        var hostSimulator = new Option<int?>("--host-simulator")
        {
            Description = "Serve the simulator on this loopback port for the bridge to use as its upstream (Upstream:Endpoint=ws://127.0.0.1:PORT/v1/realtime); frames are then timed across the bridge.",
        };
        var plainWs = new Option<bool>("--plain-ws")
        {
            Description = "Open a wss:// <Stream url> on a loopback host as ws:// (a bridge without TLS that writes wss:// into its TwiML anyway, like Twilio's Node sample).",
        };
        var command = new Command("load", "Run many concurrent simulated Twilio calls against a bridge and report latency, drops and cost.")
        {
            url, calls, duration, ramp, authToken, bridgePid, json, html, hostSimulator, plainWs,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var urlText = parseResult.GetValue(url)!;
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var bridge) || bridge.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync($"error: --url must be an absolute http(s) URL, got '{urlText}'");
                return 2;
            }

            var (n, seconds, rampSeconds) = (parseResult.GetValue(calls), parseResult.GetValue(duration), parseResult.GetValue(ramp));
            if (n is < 1 or > 100_000 || seconds is <= 0 or > 86_400 || rampSeconds is < 0 or > 3600)
            {
                await stderr.WriteLineAsync("error: --calls must be 1–100000, --duration 0–86400 s (exclusive of 0), --ramp 0–3600 s");
                return 2;
            }

            var options = new LoadOptions
            {
                BridgeUrl = bridge,
                Calls = n,
                Duration = TimeSpan.FromSeconds(seconds),
                Ramp = TimeSpan.FromSeconds(rampSeconds),
                AuthToken = parseResult.GetValue(authToken) is { Length: > 0 } token ? token
                    : Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN") is { Length: > 0 } variable ? variable : null,
                BridgePid = parseResult.GetValue(bridgePid),
                PlainWebSocketOnLoopback = parseResult.GetValue(plainWs),
            };

            LoadUpstream? upstream = null;
            try
            {
                if (parseResult.GetValue(hostSimulator) is { } port)
                {
                    upstream = new LoadUpstream(port);
                    await upstream.StartAsync(cancellationToken);
                    await stderr.WriteLineAsync($"simulator listening on {upstream.Uri} (Realtime) and {upstream.TwilioUri} (Twilio framing, for the floor)");
                }

                if (!await WaitForBridgeAsync(bridge, stderr, cancellationToken))
                {
                    return 1;
                }

                var report = await LoadRunner.RunAsync(options, upstream, stderr, cancellationToken);
                await stdout.WriteAsync(LoadTable.Format(report));
                if (parseResult.GetValue(json) is { } jsonFile)
                {
                    await File.WriteAllTextAsync(jsonFile.FullName, report.ToJson(), cancellationToken);
                }

                if (parseResult.GetValue(html) is { } htmlFile)
                {
                    await File.WriteAllTextAsync(htmlFile.FullName, LoadHtmlReport.Render(report), cancellationToken);
                }

                var clean = report.CallsHeld == report.CallsRequested && report.ErrorCount == 0
                    && report.Frames.InboundDropped == 0 && report.Frames.OutboundDropped == 0;
                return clean ? 0 : 1;
            }
            finally
            {
                if (upstream is not null)
                {
                    await upstream.DisposeAsync();
                }
            }
        });
        return command;
    }

    // The bridge may still be starting (tools/load.sh starts it just before): wait for /healthz, up to 60 s.
    private static async Task<bool> WaitForBridgeAsync(Uri bridge, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(bridge, "/healthz");
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
        {
            try
            {
                using var response = await http.GetAsync(health, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
            }

            await Task.Delay(250, cancellationToken);
        }

        await stderr.WriteLineAsync($"error: the bridge at {health} did not answer within 60 s");
        return false;
    }
}
