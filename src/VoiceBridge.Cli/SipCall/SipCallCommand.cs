using System.CommandLine;
using VoiceBridge.Audio;

namespace VoiceBridge.Cli.SipCall;

/// <summary>
/// <c>voicebridge sip-call --simulator http://127.0.0.1:PORT --wav in.wav --out heard.wav [--from +1…] [--listen-seconds N]</c>:
/// one simulated phone call through the simulator's SIP interface to a bridge (the simulator was started with
/// <c>--webhook-url</c> and <c>--webhook-secret</c>). Exit codes as <c>call</c>'s: 0 the call took place, 1 failed,
/// 2 bad arguments, 3 not accepted.
/// </summary>
internal static class SipCallCommand
{
    public static Command Create()
    {
        var simulator = new Option<string>("--simulator") { Description = "The simulator's base URL (voicebridge simulator --webhook-url … --webhook-secret …).", Required = true };
        var wav = new Option<FileInfo>("--wav") { Description = "What the caller says: a mono WAV, PCM16 or μ-law, 8/16/24/48 kHz.", Required = true };
        var output = new Option<FileInfo?>("--out") { Description = "Where to save what the caller heard (24 kHz mono PCM16 WAV)." };
        var from = new Option<string>("--from") { Description = "Caller number, as the SIP From header carries it.", DefaultValueFactory = _ => "+14155550100" };
        var listen = new Option<double>("--listen-seconds") { Description = "How long to listen after speaking before hanging up.", DefaultValueFactory = _ => 5 };
        var command = new Command("sip-call", "Place one simulated SIP call through the simulator to a bridge: the simulator signs the realtime.call.incoming webhook, the bridge accepts and holds the sideband; the WAV is spoken, the reply saved.")
        {
            simulator, wav, output, from, listen,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            if (!Uri.TryCreate(parseResult.GetValue(simulator), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            {
                await stderr.WriteLineAsync("error: --simulator must be an absolute http(s) URL");
                return 2;
            }

            var seconds = parseResult.GetValue(listen);
            if (seconds is < 0 or > 3600)
            {
                await stderr.WriteLineAsync("error: --listen-seconds must be between 0 and 3600");
                return 2;
            }

            if (!TryLoad24k(parseResult.GetValue(wav)!.FullName, out var speech, out var error))
            {
                await stderr.WriteLineAsync("error: " + error);
                return 2;
            }

            using var http = new HttpClient();
            SipCallResult result;
            try
            {
                result = await new SimulatedSipPhone(http, baseUri, TimeProvider.System).CallAsync(parseResult.GetValue(from)!, speech, TimeSpan.FromSeconds(seconds), cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Net.WebSockets.WebSocketException or InvalidOperationException)
            {
                await stderr.WriteLineAsync("error: " + ex.Message);
                return 1;
            }

            await stdout.WriteLineAsync(SimulatedSipPhone.Describe(result));
            if (parseResult.GetValue(output) is { } file && result.Heard.Length > 0)
            {
                WavFile.Write(file.FullName, new WavFormat(24000, 1, WavEncoding.Pcm16), result.Heard);
            }

            return result.Answered ? 0 : 3;
        });
        return command;
    }

    /// <summary>A mono WAV as PCM16 24 kHz (the simulator's media): 8 and 16 kHz are resampled through 24 kHz pairs, 48 kHz down.</summary>
    internal static bool TryLoad24k(string path, out short[] pcm, out string error)
    {
        pcm = [];
        WavAudio wav;
        try
        {
            wav = WavFile.Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WavFormatException)
        {
            error = $"cannot read {path}: {ex.Message}";
            return false;
        }

        if (wav.Format.Channels != 1 || wav.Format.SampleRate is not (8000 or 16000 or 24000 or 48000))
        {
            error = $"{path} must be mono at 8000, 16000, 24000 or 48000 Hz";
            return false;
        }

        var samples = wav.Format.Encoding == WavEncoding.MuLaw ? Decode(wav.MuLawBytes.Span) : wav.Samples.ToArray();
        pcm = wav.Format.SampleRate == 24000 ? samples : Resample(samples, wav.Format.SampleRate, 24000);
        error = string.Empty;
        return true;
    }

    private static short[] Decode(ReadOnlySpan<byte> mulaw)
    {
        var pcm = new short[mulaw.Length];
        MuLaw.Decode(mulaw, pcm);
        return pcm;
    }

    private static short[] Resample(short[] input, int from, int to)
    {
        var resampler = Resampler.Create(from, to);
        var output = new short[resampler.GetMaxOutputLength(input.Length)];
        return output[..resampler.Process(input, output)];
    }
}
