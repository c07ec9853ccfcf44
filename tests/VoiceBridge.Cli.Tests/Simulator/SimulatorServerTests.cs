using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audio;
using VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;

namespace VoiceBridge.Cli.Tests.Simulator;

public sealed class SimulatorServerTests
{
    // Every network step gets its own bound so a hang fails the test instead of stalling the run. Generous because
    // the machine is shared: with ten cold test processes on 2 cores the first event took up to 5 s (idle: ~0.2 s).
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    private const string PcmuSession =
        """{"type":"session.update","event_id":"client_0001","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcmu"}}}}}""";

    [Fact]
    public async Task Server_OnPortZero_CompletesASpokenTurnOverARealWebSocket()
    {
        await using var server = new SimulatorServer(new SimulatorOptions { Pacing = SimulatorPacing.Fast }, TimeProvider.System);
        var port = await server.StartAsync(Ct);
        Assert.NotEqual(0, port);
        using var socket = await ConnectAsync(server.Uri);

        Assert.IsType<SessionCreatedEvent>(await ReceiveEventAsync(socket));
        await SendAsync(socket, Encoding.UTF8.GetBytes(PcmuSession));
        Assert.IsType<SessionUpdatedEvent>(await ReceiveEventAsync(socket));

        var audio = Utterance(leadSilenceMs: 300, speechMs: 700, trailSilenceMs: 700);
        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            using var frame = RealtimeAudioFrames.WriteInputAudioBufferAppend(audio.AsSpan(offset, 160));
            await SendAsync(socket, frame.Memory);
        }

        var events = new List<RealtimeEvent>();
        while (events.LastOrDefault() is not ResponseDoneEvent)
        {
            events.Add(await ReceiveEventAsync(socket));
        }

        var echo = events.OfType<ResponseOutputAudioDeltaEvent>().SelectMany(d => Convert.FromBase64String(d.Delta!)).ToArray();
        Assert.Contains(events, e => e is SpeechStartedEvent { AudioStartMs: 300 });
        Assert.Equal(audio.AsSpan(0, 1000 * 8).ToArray(), echo); // prefix padding (300 ms) reaches back to 0
        Assert.Equal(RealtimeResponse.Completed, ((ResponseDoneEvent)events[^1]).Response!.Status);

        using (var timeout = Step())
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        }

        Assert.Equal(WebSocketState.Closed, socket.State);
    }

    [Fact]
    public async Task BetaHeader_GetsTheBetaErrorThenCloseStatus4000()
    {
        await using var server = new SimulatorServer(new SimulatorOptions(), TimeProvider.System);
        await server.StartAsync(Ct);
        using var socket = await ConnectAsync(server.Uri, beta: true);

        var error = Assert.IsType<ErrorEvent>(await ReceiveEventAsync(socket));
        var buffer = new byte[1024];
        using var timeout = Step();
        var close = await socket.ReceiveAsync(buffer, timeout.Token);

        Assert.Equal("beta_api_shape_disabled", error.Error!.Code);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(4000, (int)socket.CloseStatus!.Value);
    }

    [Fact]
    public async Task ScriptedClose_ReachesTheClientAsACloseStatus()
    {
        var time = new FakeTimeProvider();
        var options = new SimulatorOptions { Close = new SimulatorClose { AfterMs = 60_000, Status = 1011, Description = "scripted failure" } };
        await using var server = new SimulatorServer(options, time);
        await server.StartAsync(Ct);
        using var socket = await ConnectAsync(server.Uri);
        Assert.IsType<SessionCreatedEvent>(await ReceiveEventAsync(socket));

        time.Advance(TimeSpan.FromMinutes(1));
        using var timeout = Step();
        var close = await socket.ReceiveAsync(new byte[1024], timeout.Token);

        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, socket.CloseStatus);
        Assert.Equal("scripted failure", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task SimulatorCommand_PrintsTheListeningLine_AndStopsWhenCancelled()
    {
        var root = new System.CommandLine.RootCommand { SimulatorCommand.Create() };
        var output = new LineSignallingWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var config = new System.CommandLine.InvocationConfiguration { Output = output, Error = new StringWriter() };

        var run = root.Parse(["simulator", "--port", "0", "--fast"]).InvokeAsync(config, stop.Token);
        var line = await output.FirstLine.Task.WaitAsync(StepTimeout, Ct);
        var uri = new Uri(line["simulator listening on ".Length..]);
        using (var socket = await ConnectAsync(uri))
        {
            Assert.IsType<SessionCreatedEvent>(await ReceiveEventAsync(socket));
        }

        await stop.CancelAsync();
        var exitCode = await run.WaitAsync(StepTimeout, Ct);

        Assert.Matches(@"^simulator listening on ws://127\.0\.0\.1:\d+/v1/realtime$", line);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task SimulatorCommand_WithABadScript_FailsWithAMessage()
    {
        var script = Path.Combine(Path.GetTempPath(), $"vb-script-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(script, """{"turnz":[]}""", Ct);
        try
        {
            var root = new System.CommandLine.RootCommand { SimulatorCommand.Create() };
            var error = new StringWriter();
            var config = new System.CommandLine.InvocationConfiguration { Output = new StringWriter(), Error = error };

            var exitCode = await root.Parse(["simulator", "--script", script]).InvokeAsync(config, Ct);

            Assert.Equal(2, exitCode);
            Assert.Contains("cannot load script", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<ClientWebSocket> ConnectAsync(Uri uri, bool beta = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer sk-test-anything");
        if (beta)
        {
            socket.Options.SetRequestHeader("OpenAI-Beta", "realtime=v1");
        }

        using var timeout = Step();
        await socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    private static CancellationTokenSource Step()
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(StepTimeout);
        return timeout;
    }

    private static async Task SendAsync(ClientWebSocket socket, ReadOnlyMemory<byte> json)
    {
        using var timeout = Step();
        await socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    private static async Task<RealtimeEvent> ReceiveEventAsync(ClientWebSocket socket)
    {
        using var timeout = Step();
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            Assert.Equal(WebSocketMessageType.Text, result.MessageType);
            length += result.Count;
            if (result.EndOfMessage)
            {
                Assert.True(RealtimeEventSerializer.TryParse(buffer.AsSpan(0, length), out var parsed));
                return parsed;
            }
        }
    }

    private static byte[] Utterance(int leadSilenceMs, int speechMs, int trailSilenceMs)
    {
        var pcm = new short[(leadSilenceMs + speechMs + trailSilenceMs) * 8];
        for (var i = 0; i < speechMs * 8; i++)
        {
            pcm[(leadSilenceMs * 8) + i] = (short)(8000 * Math.Sin(2 * Math.PI * 220 * i / 8000.0));
        }

        var ulaw = new byte[pcm.Length];
        MuLaw.Encode(pcm, ulaw);
        return ulaw;
    }

    private sealed class LineSignallingWriter : StringWriter
    {
        public TaskCompletionSource<string> FirstLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            FirstLine.TrySetResult(value ?? string.Empty);
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
