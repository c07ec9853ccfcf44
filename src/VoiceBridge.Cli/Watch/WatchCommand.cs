using System.CommandLine;
using System.Text.Json;

namespace VoiceBridge.Cli.Watch;

/// <summary>
/// <c>voicebridge watch --url http://host:port --key KEY [--viewers 50] [--warmup S] [--duration S] [--no-open]
/// [--json out.json]</c>: connects that many operations-dashboard viewers (the official .NET SignalR client) and
/// reports bytes per viewer, messages, and update latency from a change on the bridge to the viewer. Run beside
/// <c>voicebridge load</c> for the dashboard's benchmark (tools/ops-bench.sh). Exit code 0 when every viewer stayed
/// connected, 1 otherwise, 2 for bad arguments.
/// </summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The bridge's base URL (viewers log in at {url}/ops/login).", Required = true };
        var key = new Option<string?>("--key") { Description = "An operator or viewer key (default: VOICEBRIDGE_OPS_KEY)." };
        var viewers = new Option<int>("--viewers") { Description = "Dashboard viewers.", DefaultValueFactory = _ => 50 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds connected before the window (the load tool's ramp).", DefaultValueFactory = _ => 0 };
        var duration = new Option<double>("--duration") { Description = "Seconds measured.", DefaultValueFactory = _ => 60 };
        var noOpen = new Option<bool>("--no-open") { Description = "Viewers only watch the list; by default each opens one live call." };
        var json = new Option<FileInfo?>("--json") { Description = "Write the report as JSON here." };
        var command = new Command("watch", "Connect many operations-dashboard viewers to a bridge and report bytes per viewer and update latency.")
        {
            url, key, viewers, warmup, duration, noOpen, json,
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

            var keyText = parseResult.GetValue(key) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable("VOICEBRIDGE_OPS_KEY");
            var (n, warm, seconds) = (parseResult.GetValue(viewers), parseResult.GetValue(warmup), parseResult.GetValue(duration));
            if (string.IsNullOrEmpty(keyText) || n is < 1 or > 10_000 || warm is < 0 or > 3600 || seconds is <= 0 or > 86_400)
            {
                await stderr.WriteLineAsync("error: --key (or VOICEBRIDGE_OPS_KEY) is required; --viewers must be 1–10000, --warmup 0–3600 s, --duration 0–86400 s (exclusive of 0)");
                return 2;
            }

            var report = await WatchRunner.RunAsync(new WatchOptions
            {
                BridgeUrl = bridge,
                Key = keyText,
                Viewers = n,
                Warmup = TimeSpan.FromSeconds(warm),
                Duration = TimeSpan.FromSeconds(seconds),
                OpenACall = !parseResult.GetValue(noOpen),
            }, stderr, cancellationToken);
            await stdout.WriteAsync(WatchRunner.Format(report));
            if (parseResult.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, WatchJsonContext.Default.WatchReport), cancellationToken);
            }

            return report.Disconnected == 0 && report.Connected == report.Viewers ? 0 : 1;
        });
        return command;
    }
}
