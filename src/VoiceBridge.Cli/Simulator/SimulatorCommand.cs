using System.CommandLine;
using System.Text.Json;
using VoiceBridge.Realtime.Simulator;

namespace VoiceBridge.Cli.Simulator;

/// <summary><c>voicebridge simulator --port N [--host 127.0.0.1] [--script file.json] [--fast]</c>.</summary>
internal static class SimulatorCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0 picks a free one).", DefaultValueFactory = _ => 0 };
        var host = new Option<string>("--host") { Description = "IP address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var script = new Option<FileInfo?>("--script") { Description = "JSON script of per-turn behaviours (SimulatorOptions, snake_case)." };
        var fast = new Option<bool>("--fast") { Description = "Send response audio as fast as possible instead of at play speed." };
        var webhookUrl = new Option<Uri?>("--webhook-url") { Description = "Where SIP calls placed with POST /sim/sip (or voicebridge sip-call) are announced: the bridge's /openai/webhook." };
        var webhookSecret = new Option<string?>("--webhook-secret") { Description = "The whsec_ secret the webhooks are signed with (the bridge's Upstream:WebhookSecret); default: OPENAI_WEBHOOK_SECRET." };
        var command = new Command("simulator", "Serve the Realtime simulator: sessions at /v1/realtime, direct calls at /v1/realtime/calls (WebRTC with the model-side page at /sim/peer.html, SIP with signed webhooks).")
        {
            port, host, script, fast, webhookUrl, webhookSecret,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var options = LoadOptions(parseResult.GetValue(script), error);
            if (options is null)
            {
                return 2;
            }

            if (parseResult.GetValue(fast))
            {
                options = options with { Pacing = SimulatorPacing.Fast };
            }

            var address = parseResult.GetValue(host)!;
            var server = new SimulatorServer(options, TimeProvider.System, address, parseResult.GetValue(port))
            {
                WebhookUrl = parseResult.GetValue(webhookUrl),
                WebhookSecret = parseResult.GetValue(webhookSecret) ?? Environment.GetEnvironmentVariable("OPENAI_WEBHOOK_SECRET"),
            };
            await using (server.ConfigureAwait(false))
            {
                var bound = await server.StartAsync(cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"simulator listening on ws://{address}:{bound}{SimulatorServer.Path}").ConfigureAwait(false);
                await output.WriteLineAsync($"direct calls at http://{address}:{bound}/v1/realtime/calls; model-side page for WebRTC at http://{address}:{bound}/sim/peer.html").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // Ctrl-C / SIGTERM cancel this token (System.CommandLine's process-termination handling).
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return 0;
        });
        return command;
    }

    private static SimulatorOptions? LoadOptions(FileInfo? script, TextWriter error)
    {
        if (script is null)
        {
            return new SimulatorOptions();
        }

        try
        {
            using var stream = script.OpenRead();
            return JsonSerializer.Deserialize(stream, SimulatorJsonContext.Default.SimulatorOptions) ?? new SimulatorOptions();
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot load script {script.FullName}: {ex.Message}");
            return null;
        }
    }
}
