using System.CommandLine;
using System.Net.WebSockets;
using VoiceBridge.Audio;
using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Tests.Call;

/// <summary>
/// Busy and a hang-up by the bridge are ordinary endings of a call: each has its own outcome, its own words and exit
/// code, and neither is printed as an error. A close with an error status still is one.
/// </summary>
public sealed class CallOutcomeTests
{
    // What VoiceBridge answers while it is at capacity, draining or cannot audit (Twiml.SayAndHangUp).
    private const string BusyTwiml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>Sorry, we cannot take your call right now.</Say><Hangup/></Response>";

    [Theory]
    [InlineData(BusyTwiml, "busy: the bridge declined the call (TwiML <Say>, <Hangup>): \"Sorry, we cannot take your call right now.\"")]
    [InlineData("<Response><Reject reason=\"busy\"/></Response>", "busy: the bridge rejected the call (TwiML <Reject reason=\"busy\">)")]
    public async Task Call_AnsweredBusy_SaysBusy_NotAnError_AndExitsThree(string twiml, string expected)
    {
        await using var bridge = new ScriptedBridge(_ => Task.CompletedTask, twiml);
        await bridge.StartAsync();

        var (exitCode, output, error) = await InvokeAsync(bridge.BaseUri);

        Assert.Equal(3, exitCode);
        Assert.Equal(expected, output.TrimEnd());
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public async Task Call_WithTwimlThatIsNeitherAStreamNorARefusal_IsStillInvalidTwiml()
    {
        await using var bridge = new ScriptedBridge(_ => Task.CompletedTask, "<Response><Say>hello</Say></Response>");
        await bridge.StartAsync();

        var (exitCode, output, error) = await InvokeAsync(bridge.BaseUri);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.StartsWith("error: InvalidTwiml: the TwiML has no <Response><Connect><Stream url=…>", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_HungUpByTheBridge_ReadsAsEndedByTheBridge_AndExitsZero()
    {
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.SendMediaAsync(Enumerable.Repeat((byte)0x00, 800).ToArray());
            await peer.CloseAsync(WebSocketCloseStatus.NormalClosure, "call ended by the bridge");
        });
        await bridge.StartAsync();

        // A long tail: the bridge hangs up long before the caller would.
        var (exitCode, output, error) = await InvokeAsync(bridge.BaseUri, tailSeconds: 30);

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains(": ended by the bridge: call ended by the bridge in ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_ClosedByTheBridgeWithAnErrorStatus_IsAnError()
    {
        await using var bridge = new ScriptedBridge(async peer =>
        {
            await peer.ReadStartAsync();
            await peer.CloseAsync(WebSocketCloseStatus.InternalServerError, "upstream unavailable");
        });
        await bridge.StartAsync();

        var (exitCode, output, error) = await InvokeAsync(bridge.BaseUri, tailSeconds: 30);

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Equal("error: ClosedByServer: the bridge closed the stream: 1011 InternalServerError upstream unavailable", error.TrimEnd());
    }

    private static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(Uri server, double tailSeconds = 0.2)
    {
        var input = Path.Combine(Path.GetTempPath(), $"vb-outcome-{Guid.NewGuid():N}.wav");
        var heard = Path.ChangeExtension(input, ".heard.wav");
        WavFile.Write(input, new WavFormat(8000, 1, WavEncoding.MuLaw), new short[1600]); // 200 ms
        try
        {
            var root = new RootCommand { CallCommand.Create() };
            var output = new StringWriter();
            var error = new StringWriter();
            string[] args = ["call", "--url", server.AbsoluteUri, "--wav", input, "--out", heard, "--auth-token", "t", "--tail-seconds", tailSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken)
                .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            return (exitCode, output.ToString(), error.ToString());
        }
        finally
        {
            File.Delete(input);
            File.Delete(heard);
        }
    }
}
