using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Audio;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Realtime.Tests.Simulator;

/// <summary>One in-process simulator session driven like the bridge drives an upstream.</summary>
internal sealed class SimulatorHarness : IAsyncDisposable
{
    public const string PcmuSession =
        """{"type":"session.update","event_id":"client_0001","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcmu"}}}}}""";

    private SimulatorHarness(IRealtimeConnection connection, FakeTimeProvider time)
    {
        Connection = connection;
        Time = time;
    }

    public IRealtimeConnection Connection { get; }

    public FakeTimeProvider Time { get; }

    public List<RealtimeEvent> Received { get; } = [];

    public static async Task<SimulatorHarness> StartAsync(SimulatorOptions? options = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero));
        var connector = new SimulatorConnector(options ?? new SimulatorOptions { Pacing = SimulatorPacing.Fast }, time);
        var result = await connector.ConnectAsync(TestContext.Current.CancellationToken);
        Assert.True(result.IsConnected);
        return new SimulatorHarness(result.Connection!, time);
    }

    public async Task SendAsync(string json) =>
        Assert.True(await Connection.SendAsync(RealtimeMessage.Copy(Encoding.UTF8.GetBytes(json), RealtimeMessageKind.Control), TestContext.Current.CancellationToken));

    /// <summary>
    /// Sends audio as 20 ms appends through the fast path, like the bridge relays Twilio frames. With
    /// <paramref name="untilClosed"/> the session may end mid-way (a scripted close); sending then stops.
    /// </summary>
    public async Task SendAudioAsync(ReadOnlyMemory<byte> audio, int bytesPerFrame = 160, bool untilClosed = false)
    {
        for (var offset = 0; offset < audio.Length; offset += bytesPerFrame)
        {
            var frame = audio.Slice(offset, Math.Min(bytesPerFrame, audio.Length - offset));
            var accepted = await Connection.SendAsync(RealtimeAudioFrames.WriteInputAudioBufferAppend(frame.Span), TestContext.Current.CancellationToken);
            if (!accepted && untilClosed)
            {
                return;
            }

            Assert.True(accepted);
        }
    }

    public async Task<RealtimeReceiveResult> ReceiveRawAsync()
    {
        // Bounds a hang, not a speed: the shared 2-core machine has stalled cold test processes for several seconds.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        return await Connection.ReceiveAsync(timeout.Token);
    }

    public async Task<RealtimeEvent> NextAsync()
    {
        var result = await ReceiveRawAsync();
        Assert.False(result.IsEnd, "session ended: " + result.End);
        using var message = result.Message;
        Assert.True(RealtimeEventSerializer.TryParse(message.Span, out var parsed), Encoding.UTF8.GetString(message.Span));
        Received.Add(parsed);
        return parsed;
    }

    public async Task<T> NextAsync<T>()
        where T : RealtimeEvent
    {
        var next = await NextAsync();
        return Assert.IsType<T>(next);
    }

    /// <summary>Receives until an event of type <typeparamref name="T"/>; returns everything received on the way (inclusive).</summary>
    public async Task<List<RealtimeEvent>> UntilAsync<T>(Func<T, bool>? match = null)
        where T : RealtimeEvent
    {
        var events = new List<RealtimeEvent>();
        while (true)
        {
            var next = await NextAsync();
            events.Add(next);
            if (next is T t && (match is null || match(t)))
            {
                return events;
            }
        }
    }

    /// <summary>Connect, session.created, μ-law both ways, session.updated.</summary>
    public static async Task<SimulatorHarness> StartPcmuAsync(SimulatorOptions? options = null)
    {
        var harness = await StartAsync(options);
        await harness.NextAsync<SessionCreatedEvent>();
        await harness.SendAsync(PcmuSession);
        await harness.NextAsync<SessionUpdatedEvent>();
        return harness;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>μ-law audio: silence, then a speech-like tone (-12 dBFS, 220 Hz with a 4 Hz syllable envelope), then silence.</summary>
    public static byte[] Utterance(int leadSilenceMs, int speechMs, int trailSilenceMs)
    {
        var pcm = new short[(leadSilenceMs + speechMs + trailSilenceMs) * 8];
        var start = leadSilenceMs * 8;
        for (var i = 0; i < speechMs * 8; i++)
        {
            var t = i / 8000.0;
            var envelope = 0.6 + (0.4 * Math.Abs(Math.Sin(Math.PI * 4 * t)));
            pcm[start + i] = (short)(8000 * envelope * Math.Sin(2 * Math.PI * 220 * t));
        }

        var ulaw = new byte[pcm.Length];
        MuLaw.Encode(pcm, ulaw);
        return ulaw;
    }

    public static byte[] Silence(int ms) => Enumerable.Repeat(MuLaw.Silence, ms * 8).ToArray();
}
