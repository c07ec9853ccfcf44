using VoiceBridge.Cli.Simulator;
using VoiceBridge.Realtime.Protocol;
using VoiceBridge.Realtime.Simulator;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// The simulator the load tool hosts for the bridge to call (a real WebSocket on loopback), with a tap on every
/// session. Calls are paired with upstream sessions by order under a gate: one call at a time goes from its webhook to
/// the upstream session the bridge opens for it, so the next session accepted is that call's. Call setups are thus
/// serialised (a few ms each on a quiet machine: 500 calls in a few seconds, well inside a 20 s ramp); the calls
/// themselves run concurrently. A session that arrives while no call is waiting (a reconnect, a stray client) is not
/// timed and counts as an error.
/// </summary>
public sealed class LoadUpstream : IAsyncDisposable
{
    internal static readonly TimeSpan AttachTimeout = TimeSpan.FromSeconds(10);

    private readonly SimulatorServer _server;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Tap _tap;
    private CallProbe? _waiting;
    private LoadMetrics? _metrics;

    public LoadUpstream(int port = 0, string host = "127.0.0.1")
    {
        _tap = new Tap(this);
        _server = new SimulatorServer(new SimulatorOptions(), TimeProvider.System, host, port) { Tap = _tap };
    }

    /// <summary>The URL to give the bridge as <c>Upstream:Endpoint</c> (after <see cref="StartAsync"/>).</summary>
    public Uri Uri => _server.Uri;

    /// <summary>The URL to give <c>voicebridge floor</c> as <c>--upstream</c>: the simulator behind Twilio's framing.</summary>
    public Uri TwilioUri => _server.TwilioUri;

    public Task<int> StartAsync(CancellationToken cancellationToken) => _server.StartAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _gate.Dispose();
    }

    internal void Attach(LoadMetrics metrics) => _metrics = metrics;

    internal async ValueTask EnterAsync(CallProbe probe, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        Volatile.Write(ref _waiting, probe);
    }

    internal void Leave(CallProbe probe)
    {
        Interlocked.CompareExchange(ref _waiting, null, probe);
        _gate.Release();
    }

    private Session? Open()
    {
        var probe = Interlocked.Exchange(ref _waiting, null);
        if (probe is null)
        {
            _metrics?.Error("unpaired-upstream-session", "the simulator accepted a session while no call was starting (a reconnect?)");
            return null;
        }

        probe.OnUpstreamAttached();
        return new Session(probe);
    }

    private sealed class Tap(LoadUpstream owner) : SimulatorTap
    {
        public override SimulatorSessionTap? OnSessionOpened() => owner.Open();
    }

    private sealed class Session(CallProbe probe) : SimulatorSessionTap
    {
        private bool _spoke;

        // One receive loop per session calls this: no race on _spoke.
        public override void OnClientMessage(RealtimeMessageKind kind)
        {
            if (!_spoke)
            {
                _spoke = true;
                probe.OnUpstreamSpoke();
            }

            if (kind == RealtimeMessageKind.Audio)
            {
                probe.OnAppendReceived();
            }
        }

        public override void OnServerEvent(RealtimeEventType type)
        {
            if (type == RealtimeEventType.ResponseOutputAudioDelta)
            {
                probe.OnDeltaSending();
            }
            else if (type == RealtimeEventType.ResponseCreated)
            {
                probe.OnResponseCreated();
            }
        }
    }
}
