using System.CommandLine;
using VoiceBridge.Audio;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// <c>voicebridge call --url http://host:port --wav in.wav --out heard.wav [--auth-token …] [--from …] [--to …]
/// [--call-sid CA…] [--tail-seconds N] [--out-encoding mulaw|pcm16]</c>: one signed fake Twilio call. Exit codes:
/// <see cref="CallExitCodes"/>.
/// </summary>
internal static class CallCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The bridge's base URL; the webhook is {url}/twilio/voice.", Required = true };
        var wav = new Option<FileInfo>("--wav") { Description = "What the caller says: a mono WAV, PCM16 or μ-law, 8/16/24/48 kHz.", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to save what the caller heard (8 kHz mono WAV, aligned with the call).", Required = true };
        var authToken = new Option<string?>("--auth-token") { Description = "Twilio auth token to sign with (default: TWILIO_AUTH_TOKEN; none: unsigned)." };
        var from = new Option<string>("--from") { Description = "Caller number (E.164).", DefaultValueFactory = _ => "+14155550100" };
        var to = new Option<string>("--to") { Description = "Called number (E.164).", DefaultValueFactory = _ => "+15005550006" };
        var callSid = new Option<string?>("--call-sid") { Description = "CallSid to use (default: a fresh CA… id)." };
        var tail = new Option<double>("--tail-seconds") { Description = "Silence sent after the WAV so the reply can play.", DefaultValueFactory = _ => 5 };
        var encoding = new Option<WavEncoding>("--out-encoding") { Description = "Encoding of the --out file: MuLaw (exact bytes received) or Pcm16.", DefaultValueFactory = _ => WavEncoding.MuLaw };
        var command = new Command("call", "Place one signed fake Twilio call: send a WAV as the caller, save what the caller heard.")
        {
            url, wav, output, authToken, from, to, callSid, tail, encoding,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            var urlText = parseResult.GetValue(url)!;
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync($"error: --url must be an absolute http(s) URL, got '{urlText}'");
                return CallExitCodes.BadArguments;
            }

            var tailSeconds = parseResult.GetValue(tail);
            if (tailSeconds is < 0 or > 3600)
            {
                await stderr.WriteLineAsync("error: --tail-seconds must be between 0 and 3600");
                return CallExitCodes.BadArguments;
            }

            if (!CallAudio.TryLoadMuLaw8k(parseResult.GetValue(wav)!.FullName, out var audio, out var error))
            {
                await stderr.WriteLineAsync("error: " + error);
                return CallExitCodes.BadArguments;
            }

            var options = new FakeTwilioCallOptions
            {
                ServerUrl = server,
                CallerAudio = audio,
                Tail = TimeSpan.FromSeconds(tailSeconds),
                AuthToken = parseResult.GetValue(authToken) ?? NullIfEmpty(Environment.GetEnvironmentVariable("TWILIO_AUTH_TOKEN")),
                From = parseResult.GetValue(from)!,
                To = parseResult.GetValue(to)!,
                CallSid = parseResult.GetValue(callSid),
            };
            using var http = new HttpClient();
            using var call = new FakeTwilioCall(options, http);
            var result = await call.RunAsync(cancellationToken);
            var heardPath = parseResult.GetValue(output)!.FullName;
            if (!result.Heard.IsEmpty)
            {
                CallAudio.WriteHeard(heardPath, result.Heard.Span, parseResult.GetValue(encoding));
            }

            switch (result.Outcome)
            {
                case FakeTwilioCallOutcome.Completed or FakeTwilioCallOutcome.EndedByBridge:
                    await stdout.WriteLineAsync(Summary(result, result.Heard.IsEmpty ? null : heardPath));
                    return CallExitCodes.CallTookPlace;
                case FakeTwilioCallOutcome.Busy:
                    // An ordinary answer, not a fault: the bridge said so and hung up. Its own code lets a script retry.
                    await stdout.WriteLineAsync(result.Detail);
                    return CallExitCodes.Busy;
                default:
                    // One line that says what went wrong (403 from the webhook, the close status of the stream, …).
                    await stderr.WriteLineAsync($"error: {result.Outcome}: {result.Detail}");
                    return CallExitCodes.Failed;
            }
        });
        return command;
    }

    internal static string Summary(FakeTwilioCallResult result, string? heardPath)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var first = result.FirstMediaAt is { } at ? string.Create(inv, $", first at {at.TotalSeconds:F2} s") : string.Empty;
        var unexpected = result.UnknownMessages > 0 ? $"; {result.UnknownMessages} unexpected messages" : string.Empty;
        var ending = result.Outcome == FakeTwilioCallOutcome.EndedByBridge ? "ended by the bridge: " + result.Detail : $"{result.Outcome} ({result.Detail})";
        var lines = new List<string>
        {
            string.Create(inv, $"call {result.CallSid} stream {result.StreamSid ?? "(none)"}: {ending} in {result.Duration.TotalSeconds:F2} s"),
            string.Create(inv, $"  sent {result.FramesSent} media frames ({result.FramesSent * 0.02:F2} s); received {result.MediaReceived} media ({result.BytesReceived / 8000.0:F2} s of audio){first}"),
            string.Create(inv, $"  marks {result.MarksReceived} received / {result.MarksEchoed} echoed; clears {result.Clears} ({result.BytesCleared / 8000.0:F2} s dropped){unexpected}"),
        };
        if (heardPath is not null)
        {
            lines.Add(string.Create(inv, $"  heard audio ({result.Heard.Length / 8000.0:F2} s) written to {heardPath}"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
