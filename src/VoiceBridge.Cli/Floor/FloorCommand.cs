using System.CommandLine;

namespace VoiceBridge.Cli.Floor;

/// <summary>
/// <c>voicebridge floor --upstream ws://127.0.0.1:PORT/twilio-media [--port N] [--host 127.0.0.1]</c>: serves the
/// bare relay (<see cref="FloorServer"/>) until stopped, for <c>tools/compare.sh</c>.
/// </summary>
internal static class FloorCommand
{
    public static Command Create()
    {
        var upstream = new Option<string>("--upstream")
        {
            Description = "Where to relay each media stream: a WebSocket that speaks Twilio Media Streams framing (the load tool's simulator: ws://127.0.0.1:PORT/twilio-media).",
            Required = true,
        };
        var port = new Option<int>("--port") { Description = "TCP port to listen on (0 picks a free one).", DefaultValueFactory = _ => 0 };
        var host = new Option<string>("--host") { Description = "IP address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("floor", "Serve a bare Twilio Media Streams relay (no parsing, no transcoding, no audit): the cost floor the load tool measures the bridge against.")
        {
            upstream, port, host,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var text = parseResult.GetValue(upstream)!;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var target) || target.Scheme is not ("ws" or "wss"))
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: --upstream must be an absolute ws(s) URL, got '{text}'").ConfigureAwait(false);
                return 2;
            }

            var server = new FloorServer(target, parseResult.GetValue(host)!, parseResult.GetValue(port));
            await using (server.ConfigureAwait(false))
            {
                await server.StartAsync(cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"floor listening on {server.BaseUri} (webhook {FloorServer.VoicePath}, media {FloorServer.MediaPath}), relaying to {target}").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
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
}
