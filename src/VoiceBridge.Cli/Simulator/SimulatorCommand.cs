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
        var command = new Command("simulator", "Serve the Realtime simulator over a WebSocket at /v1/realtime.") { port, host, script, fast };
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
            var server = new SimulatorServer(options, TimeProvider.System, address, parseResult.GetValue(port));
            await using (server.ConfigureAwait(false))
            {
                var bound = await server.StartAsync(cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"simulator listening on ws://{address}:{bound}{SimulatorServer.Path}").ConfigureAwait(false);
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
