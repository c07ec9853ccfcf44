using System.CommandLine;
using VoiceBridge.Audio;
using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Tests.Call;

public sealed class CallCommandTests
{
    [Fact]
    public async Task Call_AgainstAScriptedBridge_WritesTheHeardWavAndASummary()
    {
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.SendMediaAsync(Enumerable.Repeat((byte)0x00, 400).ToArray());
            await peer.SendMarkAsync("m1");
        });
        await bridge.StartAsync();
        var input = TempFile();
        var heard = TempFile();
        WavFile.Write(input, new WavFormat(16000, 1, WavEncoding.Pcm16), new short[3200]); // 200 ms at 16 kHz
        try
        {
            var (exitCode, output, error) = await InvokeAsync("--url", bridge.BaseUri.AbsoluteUri, "--wav", input, "--out", heard, "--auth-token", "t", "--tail-seconds", "0.4");

            Assert.Equal(0, exitCode);
            Assert.Equal(string.Empty, error);
            Assert.Contains("sent 30 media frames", output, StringComparison.Ordinal); // 200 ms + 400 ms
            Assert.Contains("marks 1 received / 1 echoed", output, StringComparison.Ordinal);
            var wav = WavFile.Read(heard);
            Assert.Equal(new WavFormat(8000, 1, WavEncoding.MuLaw), wav.Format);
            Assert.Equal(4800, wav.MuLawBytes.Length);
            Assert.Equal(400, wav.MuLawBytes.ToArray().Count(b => b == 0x00));
        }
        finally
        {
            File.Delete(input);
            File.Delete(heard);
        }
    }

    [Fact]
    public async Task Call_ToAnUnreachableServer_PrintsOneErrorLineAndFails()
    {
        var input = TempFile();
        WavFile.Write(input, new WavFormat(8000, 1, WavEncoding.MuLaw), new short[800]);
        try
        {
            var (exitCode, output, error) = await InvokeAsync("--url", "http://127.0.0.1:1", "--wav", input, "--out", TempFile());

            Assert.Equal(1, exitCode);
            Assert.Equal(string.Empty, output);
            Assert.StartsWith("error: WebhookFailed:", error, StringComparison.Ordinal);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(input);
        }
    }

    [Fact]
    public async Task Call_WithAnUnsupportedSampleRate_SaysSo()
    {
        var input = TempFile();
        WavFile.Write(input, new WavFormat(11025, 1, WavEncoding.Pcm16), new short[1100]);
        try
        {
            var (exitCode, _, error) = await InvokeAsync("--url", "http://127.0.0.1:1", "--wav", input, "--out", TempFile());

            Assert.Equal(2, exitCode);
            Assert.Contains("11025 Hz; supported rates are 8000, 16000, 24000 and 48000 Hz", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"vb-call-{Guid.NewGuid():N}.wav");

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        var root = new RootCommand { CallCommand.Create() };
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await root.Parse(["call", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }
}
