using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Telemetry;
using VoiceBridge.Server.Upstream;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// The operations feed of this instance: makes an <see cref="OpsCallObserver"/> for every call, and every
/// <c>Ops:UpdateIntervalMs</c> sends what changed to the dashboard's hub — one message to group <c>calls</c> with the
/// rows of the calls that changed (each call at most once per interval, however many events it had) and, for calls
/// someone has open, their transcript and timeline changes to group <c>call:{id}</c>. Every <c>Ops:KeyframeSeconds</c>
/// it sends the whole state instead, so a viewer on another instance behind a shared backplane learns this instance's
/// calls from hub messages alone. Sends are not awaited one by one: a viewer that stops reading cannot stall the
/// feed for the others (past a bound, updates are skipped until the sends drain; the next keyframe heals).
/// </summary>
internal sealed partial class OpsFeed : BackgroundService, ICallObserverFactory
{
    /// <summary>Sends not yet written to every viewer past which updates (not keyframes) are skipped.</summary>
    private const int MaxSendsInFlight = 64;

    private static readonly TimeSpan HopWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinuteWindow = TimeSpan.FromMinutes(1);

    private readonly OpsOptions _options;
    private readonly AuditOptions _audit;
    private readonly IHubContext<OpsHub> _hub;
    private readonly OpsViewers _viewers;
    private readonly AuditTrail _auditTrail;
    private readonly HealthCheckRegistration[] _checks;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger<OpsFeed> _logger;
    private readonly bool _localOnly;

    private readonly ConcurrentQueue<OpsCallObserver> _queue = new();
    private readonly ConcurrentDictionary<OpsCallObserver, byte> _live = new();
    private readonly Lock _endedGate = new();
    private readonly LinkedList<OpsCallRow> _ended = new();
    private readonly Dictionary<string, LinkedListNode<OpsCallRow>> _endedById = new(StringComparer.Ordinal);
    private readonly List<Task> _sends = [];

    // Chart state, flush thread only (but for the live histograms, swapped there and recorded into from the calls).
    private readonly Queue<OpsHistogram> _hopWindow = new();
    private readonly Queue<OpsHistogram> _firstAudioWindow = new();
    private readonly Queue<int> _startedWindow = new();
    private readonly Queue<OpsSample> _history = new();
    private OpsHistogram _hops = new();
    private OpsHistogram _firstAudio = new();
    private int _started;
    private long _lastSample;
    private long _lastKeyframe;
    private int _skipped;

    public OpsFeed(
        IOptions<OpsOptions> options,
        IOptions<AuditOptions> audit,
        IOptions<TelemetryOptions> telemetry,
        IOptions<UpstreamOptions> upstream,
        IHubContext<OpsHub> hub,
        HubLifetimeManager<OpsHub> lifetime,
        OpsViewers viewers,
        AuditTrail auditTrail,
        IOptions<HealthCheckServiceOptions> health,
        IServiceProvider services,
        TimeProvider time,
        ILogger<OpsFeed> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(upstream);
        _options = options.Value;
        _audit = audit.Value;
        _hub = hub;
        _viewers = viewers;
        _auditTrail = auditTrail;
        ArgumentNullException.ThrowIfNull(health);
        _checks = [.. health.Value.Registrations.Where(check => check.Tags.Contains(HealthExtensions.ReadyTag))];
        _services = services;
        _time = time;
        _logger = logger;
        // With the in-process lifetime manager, a group nobody on this instance joined has no member anywhere: a call's
        // transcript updates are worked out only while it is open here. Behind a backplane (another manager) they
        // always are, for viewers on other instances.
        _localOnly = lifetime is DefaultHubLifetimeManager<OpsHub>;
        var settings = upstream.Value;
        var name = string.IsNullOrWhiteSpace(_options.InstanceName) ? Environment.MachineName : _options.InstanceName;
        Instance = new OpsInstance(
            name + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
            name,
            settings.UsesWebSocket ? settings.Provider?.ToString() ?? "Endpoint" : "Simulator",
            settings.Model,
            telemetry.Value.FirstAudioSloMs,
            time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public OpsInstance Instance { get; }

    /// <summary>The hop of every audio frame through this instance (both directions), recorded by the calls' loops.</summary>
    public OpsHistogram Hops => Volatile.Read(ref _hops);

    /// <summary>Every turn's first-audio latency.</summary>
    public OpsHistogram FirstAudio => Volatile.Read(ref _firstAudio);

    /// <summary>Calls being shown now (started and not ended).</summary>
    public int LiveCalls => _live.Count;

    public ICallObserver? Create(ILiveCall call, string transport, string upstreamAudio) =>
        new OpsCallObserver(this, call, transport, upstreamAudio, _audit.Redact, _audit.RedactDtmf, _time);

    internal void Started(OpsCallObserver call)
    {
        _live.TryAdd(call, 0);
        Interlocked.Increment(ref _started);
    }

    internal void Ended(OpsCallObserver call) => _live.TryRemove(call, out _);

    internal void Enqueue(OpsCallObserver call) => _queue.Enqueue(call);

    /// <summary>This instance's whole state now: what a viewer that just connected is sent first.</summary>
    public OpsCallsUpdate Keyframe()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = new List<OpsCallRow>(_live.Count);
        foreach (var call in _live.Keys)
        {
            rows.Add(call.Row(now));
        }

        lock (_endedGate)
        {
            rows.AddRange(_ended);
        }

        OpsSample[] history;
        lock (_history)
        {
            history = [.. _history];
        }

        return new OpsCallsUpdate
        {
            Instance = Instance,
            At = now,
            Keyframe = true,
            KeyframeMs = _options.KeyframeSeconds * 1000,
            Rows = rows,
            Sample = history.Length > 0 ? history[^1] : null,
            History = history,
        };
    }

    /// <summary>The transcript and timeline of a live call of this instance, for a viewer who opens it; null when it is not here.</summary>
    public OpsCallDetail? Detail(string callId)
    {
        foreach (var call in _live.Keys)
        {
            if (call.Id == callId)
            {
                return call.Snapshot(_time.GetUtcNow().ToUnixTimeMilliseconds());
            }
        }

        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.UpdateIntervalMs), _time);
        _lastSample = _time.GetTimestamp();
        _lastKeyframe = _lastSample;
        await SampleAsync(stoppingToken);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One bad tick must not end the dashboard for the rest of the process's life.
                    LogTickFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var rows = new List<OpsCallRow>();
        var details = new List<OpsCallDetail>();
        // Nobody can be watching (no viewer here, no backplane): rows are not built, only ended calls kept for later.
        var watched = !_localOnly || _viewers.Count > 0;
        for (var n = _queue.Count; n > 0 && _queue.TryDequeue(out var call); n--)
        {
            var changedAt = call.Dequeue();
            if (!watched && !call.HasEnded)
            {
                continue;
            }

            if (call.TakeRow(changedAt) is { } row)
            {
                rows.Add(row);
                if (row.EndedAt is not null)
                {
                    Retain(row);
                }
            }

            if ((!_localOnly || _viewers.IsWatched(call.Id!)) && call.TakeDetail(now) is { } detail)
            {
                details.Add(detail);
            }
        }

        PruneEnded(now);
        OpsSample? sample = null;
        IReadOnlyList<OpsCheck>? checks = null;
        if (_time.GetElapsedTime(_lastSample) >= TimeSpan.FromSeconds(_options.SampleSeconds))
        {
            _lastSample = _time.GetTimestamp();
            (sample, checks) = await SampleAsync(cancellationToken);
        }

        foreach (var detail in details)
        {
            Send(OpsHub.CallGroup(detail.Id), OpsHub.CallMessage, detail, keyframe: false);
        }

        if (_time.GetElapsedTime(_lastKeyframe) >= TimeSpan.FromSeconds(_options.KeyframeSeconds))
        {
            _lastKeyframe = _time.GetTimestamp();
            Send(OpsHub.CallsGroup, OpsHub.CallsMessage, Keyframe() with { Checks = checks }, keyframe: true);
            foreach (var call in _live.Keys)
            {
                if (call.Id is { } id && (!_localOnly || _viewers.IsWatched(id)))
                {
                    Send(OpsHub.CallGroup(id), OpsHub.CallMessage, call.Snapshot(now), keyframe: true);
                }
            }
        }
        else if (rows.Count > 0 || sample is not null)
        {
            Send(OpsHub.CallsGroup, OpsHub.CallsMessage, new OpsCallsUpdate
            {
                Instance = Instance,
                At = now,
                Keyframe = false,
                KeyframeMs = _options.KeyframeSeconds * 1000,
                Rows = rows,
                Sample = sample,
                Checks = checks,
            }, keyframe: false);
        }
    }

    // A group send writes to each member; a member whose socket is full holds its own write, not the others'. The
    // tasks are kept so a stuck viewer's backlog stays bounded: past the bound, updates wait for the next keyframe.
    private void Send<T>(string group, string method, T message, bool keyframe)
    {
        _sends.RemoveAll(static send => send.IsCompleted);
        if (!keyframe && _sends.Count >= MaxSendsInFlight)
        {
            if (_skipped++ == 0)
            {
                LogSkipping(_logger, _sends.Count);
            }

            return;
        }

        _skipped = 0;
        var sending = _hub.Clients.Group(group).SendAsync(method, message);
        if (!sending.IsCompleted)
        {
            _sends.Add(sending.ContinueWith(static (task, state) => ((OpsFeed)state!).Sent(task), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));
        }
        else
        {
            Sent(sending);
        }
    }

    private void Sent(Task send)
    {
        if (send.Exception is { } failure)
        {
            LogSendFailed(_logger, failure.GetBaseException());
        }
    }

    private void Retain(OpsCallRow row)
    {
        lock (_endedGate)
        {
            if (_endedById.Remove(row.Id, out var previous))
            {
                _ended.Remove(previous);
            }

            _endedById[row.Id] = _ended.AddLast(row);
        }
    }

    private void PruneEnded(long now)
    {
        var oldest = now - (_options.EndedRetentionMinutes * 60_000L);
        lock (_endedGate)
        {
            while (_ended.First is { } first && (_ended.Count > _options.MaxEndedCalls || (first.Value.EndedAt ?? 0) < oldest))
            {
                _endedById.Remove(first.Value.Id);
                _ended.RemoveFirst();
            }
        }
    }

    // One chart point: the hop's p99 over the last 10 s, first audio over the last minute, calls started in the last
    // minute, the audit backlog, readiness as /readyz runs it.
    private async Task<(OpsSample Sample, IReadOnlyList<OpsCheck> Checks)> SampleAsync(CancellationToken cancellationToken)
    {
        var step = TimeSpan.FromSeconds(_options.SampleSeconds);
        Window(_hopWindow, Interlocked.Exchange(ref _hops, new OpsHistogram()), Math.Max(1, (int)(HopWindow / step)));
        Window(_firstAudioWindow, Interlocked.Exchange(ref _firstAudio, new OpsHistogram()), Math.Max(1, (int)(MinuteWindow / step)));
        Window(_startedWindow, Interlocked.Exchange(ref _started, 0), Math.Max(1, (int)(MinuteWindow / step)));
        var hops = Merge(_hopWindow);
        var firstAudio = Merge(_firstAudioWindow);

        var (ready, checks) = await ReadinessAsync(cancellationToken);
        var sample = new OpsSample(
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            _live.Count,
            _startedWindow.Sum(),
            OpsHistogram.Percentile(hops, 0.99),
            OpsHistogram.Percentile(firstAudio, 0.50),
            OpsHistogram.Percentile(firstAudio, 0.95),
            _auditTrail.Waiting,
            ready);
        lock (_history)
        {
            Window(_history, sample, Math.Max(1, (int)(TimeSpan.FromMinutes(_options.HistoryMinutes) / step)));
        }

        return (sample, checks);
    }

    // The readiness checks as /readyz runs them, called directly: the health check service logs every unhealthy result
    // as an error, which a chart point every few seconds would turn into a log flood while the instance is not ready.
    private async Task<(bool Ready, List<OpsCheck> Checks)> ReadinessAsync(CancellationToken cancellationToken)
    {
        var ready = true;
        var checks = new List<OpsCheck>();
        foreach (var registration in _checks)
        {
            HealthCheckResult result;
            try
            {
                var check = registration.Factory(_services);
                result = await check.CheckHealthAsync(new HealthCheckContext { Registration = registration }, cancellationToken);
            }
#pragma warning disable CA1031 // A check that throws is unhealthy, as the health check service counts it.
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                result = HealthCheckResult.Unhealthy(ex.GetType().Name);
            }

            ready &= result.Status == HealthStatus.Healthy;
            checks.Add(new OpsCheck(registration.Name, result.Status.ToString(), result.Description));
        }

        return (ready, checks);
    }

    private static void Window<T>(Queue<T> window, T item, int size)
    {
        window.Enqueue(item);
        while (window.Count > size)
        {
            window.Dequeue();
        }
    }

    private static long[] Merge(IEnumerable<OpsHistogram> histograms)
    {
        var totals = new long[OpsHistogram.BucketCount];
        foreach (var histogram in histograms)
        {
            histogram.AddTo(totals);
        }

        return totals;
    }

    [LoggerMessage(EventId = 1700, Level = LogLevel.Error, Message = "Operations feed: an update failed; the next one goes on")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Operations feed: {Sends} sends to dashboard viewers are still pending (a viewer is not reading); updates are skipped until they drain, keyframes still go out")]
    private static partial void LogSkipping(ILogger logger, int sends);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Operations feed: a send to dashboard viewers failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception);
}
