using System.Globalization;
using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// Runs N simulated Twilio calls against a bridge: placed evenly over the ramp, all held together for the duration,
/// then hung up. Samples the bridge's and its own CPU and memory once a second and reports latencies, counts and
/// costs. With a <see cref="LoadUpstream"/> (the simulator the bridge calls, hosted here) it also times every frame
/// across the bridge; without one it reports what the caller side sees.
/// </summary>
public static class LoadRunner
{
    // Calls start at different places in the caller script, so their turns and barge-ins do not line up.
    private const double ScriptSpreadSeconds = 20;

    public static async Task<LoadReport> RunAsync(LoadOptions options, LoadUpstream? upstream, TextWriter? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Calls, 1);
        var time = TimeProvider.System;
        var metrics = new LoadMetrics();
        upstream?.Attach(metrics);
        var started = time.GetUtcNow();
        var loadBefore = ProcessSampler.LoadAverage();
        var script = CallerScript.Create(ScriptSpreadSeconds + options.Ramp.TotalSeconds + options.Duration.TotalSeconds + 1);
        var spreadFrames = (int)(ScriptSpreadSeconds * 50);
        var random = new Random(options.Calls);
        var probes = new CallProbe[options.Calls];
        for (var i = 0; i < probes.Length; i++)
        {
            probes[i] = new CallProbe(metrics, upstream, script, random.Next(spreadFrames));
        }

        var sampler = new Sampler(options, probes, metrics, progress);
        sampler.TakeBaseline();
        var origin = time.GetTimestamp();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var http = new HttpClient(handler, disposeHandler: false);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = sampler.RunAsync(origin, stopSampling.Token);
        var calls = new Task<FakeTwilioCallResult>[options.Calls];
        for (var i = 0; i < calls.Length; i++)
        {
            var offset = options.Ramp * i / options.Calls;
            calls[i] = PlaceAsync(options, http, probes[i], script, origin, offset, cancellationToken);
        }

        var results = await Task.WhenAll(calls);
        await stopSampling.CancelAsync();
        await sampling;

        var holdStart = options.Ramp.TotalSeconds;
        var holdEnd = holdStart + options.Duration.TotalSeconds;
        var frames = CountFrames(probes, metrics, upstream is not null);
        var held = 0;
        var refused = 0;
        foreach (var result in results)
        {
            if (result.Outcome == FakeTwilioCallOutcome.Completed)
            {
                held++;
            }
            else
            {
                refused += result.Outcome is FakeTwilioCallOutcome.Busy or FakeTwilioCallOutcome.WebhookRejected or FakeTwilioCallOutcome.StreamRefused ? 1 : 0;
                metrics.Error("call-" + result.Outcome.ToString().ToLowerInvariant(), result.Detail);
            }
        }

        return new LoadReport
        {
            StartedAt = started,
            BridgeUrl = options.BridgeUrl.AbsoluteUri,
            CallsRequested = options.Calls,
            CallsHeld = held,
            CallsRefused = refused,
            MaxCallsUp = sampler.MaxCallsUp,
            DurationSeconds = options.Duration.TotalSeconds,
            RampSeconds = options.Ramp.TotalSeconds,
            HostedSimulator = upstream is not null,
            ProcessorCount = Environment.ProcessorCount,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = ProcessSampler.LoadAverage(),
            Setup = LatencySummary.From(metrics.Setup),
            InboundHop = LatencySummary.From(metrics.InboundHop),
            OutboundHop = LatencySummary.From(metrics.OutboundHop),
            FirstAudio = LatencySummary.From(metrics.FirstAudio),
            Frames = frames,
            Responses = metrics.Turns,
            BargeIns = metrics.Clears,
            ErrorCount = metrics.ErrorTotal,
            Errors = metrics.Errors(),
            Bridge = sampler.Figures(bridge: true, holdStart, holdEnd),
            LoadTool = sampler.Figures(bridge: false, holdStart, holdEnd),
            Timeline = sampler.Timeline,
        };
    }

    private static async Task<FakeTwilioCallResult> PlaceAsync(
        LoadOptions options, HttpClient http, CallProbe probe, CallerScript script, long origin, TimeSpan offset, CancellationToken cancellationToken)
    {
        var wait = offset - TimeProvider.System.GetElapsedTime(origin);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }

        // Every call hangs up at the end of the window, whenever it was placed.
        var frames = (int)Math.Ceiling((options.Ramp - offset + options.Duration).TotalSeconds * 50);
        var call = new FakeTwilioCall(
            new FakeTwilioCallOptions
            {
                ServerUrl = options.BridgeUrl,
                AuthToken = options.AuthToken,
                CallerAudio = script.Slice(probe.FirstScriptFrame, frames),
                Tail = TimeSpan.Zero,
                RecordHeard = false,
                // Like the end-to-end tests: a 200 ms jitter buffer, so play-speed replies play without gaps.
                PlayoutDelay = TimeSpan.FromMilliseconds(200),
                Observer = probe,
                RequestTimeout = TimeSpan.FromSeconds(15),
                PlainWebSocketOnLoopback = options.PlainWebSocketOnLoopback,
            },
            http);
        using (call)
        {
            try
            {
                await probe.EnterGateAsync(cancellationToken);
                probe.DialledAt = TimeProvider.System.GetTimestamp();
                return await call.RunAsync(cancellationToken);
            }
            finally
            {
                probe.MarkEnded();
            }
        }
    }

    private static FrameCounts CountFrames(CallProbe[] probes, LoadMetrics metrics, bool timed)
    {
        long inSent = 0, inArrived = 0, inDropped = 0, deltas = 0, deltasArrived = 0, outDropped = 0, media = 0;
        foreach (var probe in probes)
        {
            media += probe.MediaReceived;
            inSent += probe.FramesSent;
            if (!timed || !probe.UpstreamSeen)
            {
                continue;
            }

            inArrived += Math.Min(probe.AppendsReceived, probe.FramesSent);
            inDropped += Math.Max(0, probe.FramesSent - probe.AppendsReceived);
            deltas += probe.DeltasCounted;
            deltasArrived += Math.Min(probe.MarksReceived, probe.DeltasCounted);
            outDropped += Math.Max(0, probe.DeltasCounted - probe.MarksReceived);
            metrics.Error("upstream-extra-appends", "the upstream received more appends than the call sent frames", probe.UnexpectedAppends);
        }

        return new FrameCounts
        {
            InboundSent = inSent,
            InboundArrived = inArrived,
            InboundDropped = inDropped,
            OutboundDeltasSent = deltas,
            OutboundDeltasArrived = deltasArrived,
            OutboundDropped = outDropped,
            OutboundMediaFrames = media,
        };
    }

    /// <summary>Once a second: calls up, frames per second, CPU and RSS of the bridge and of this process, the progress line.</summary>
    private sealed class Sampler(LoadOptions options, CallProbe[] probes, LoadMetrics metrics, TextWriter? progress)
    {
        private readonly List<LoadSample> _timeline = [];
        private readonly List<Raw> _raw = [];
        private readonly bool _overwrite = progress is not null && !Console.IsErrorRedirected && ReferenceEquals(progress, Console.Error);
        private (double Cpu, long Rss)? _bridgeBaseline;
        private (double Cpu, long Rss) _toolBaseline;
        private long _lastFrames;
        private double _lastSeconds;
        private double _lastPrinted = double.NegativeInfinity;

        public int MaxCallsUp { get; private set; }

        public IReadOnlyList<LoadSample> Timeline => _timeline;

        public void TakeBaseline()
        {
            if (options.BridgePid is { } pid)
            {
                _bridgeBaseline = ProcessSampler.Read(pid);
            }

            _toolBaseline = ProcessSampler.Read(Environment.ProcessId) ?? default;
        }

        public async Task RunAsync(long origin, CancellationToken cancellationToken)
        {
            using var timer = new PeriodicTimer(options.SampleInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    Sample(TimeProvider.System.GetElapsedTime(origin).TotalSeconds);
                }
            }
            catch (OperationCanceledException)
            {
            }

            Sample(TimeProvider.System.GetElapsedTime(origin).TotalSeconds);
            if (_overwrite)
            {
                await progress!.WriteLineAsync();
            }
        }

        public ProcessFigures? Figures(bool bridge, double holdStart, double holdEnd)
        {
            var baseline = bridge ? _bridgeBaseline : _toolBaseline;
            if (baseline is not { } start || _raw.Count == 0)
            {
                return null;
            }

            // The window: all calls up. CPU between the first sample in it and the last; memory once a quarter has passed.
            var inWindow = _raw.Where(s => s.Seconds >= holdStart && s.Seconds <= holdEnd).ToList();
            if (inWindow.Count < 2)
            {
                return null;
            }

            var first = inWindow[0];
            var last = inWindow[^1];
            var seconds = last.Seconds - first.Seconds;
            var cpu = bridge ? last.BridgeCpu - first.BridgeCpu : last.ToolCpu - first.ToolCpu;
            var switchesFirst = bridge ? first.BridgeSwitches : first.ToolSwitches;
            var switchesLast = bridge ? last.BridgeSwitches : last.ToolSwitches;
            var settled = inWindow.Where(s => s.Seconds >= holdStart + ((holdEnd - holdStart) / 4)).Select(s => bridge ? s.BridgeRss : s.ToolRss).Order().ToList();
            var steady = settled.Count > 0 ? settled[settled.Count / 2] : (bridge ? last.BridgeRss : last.ToolRss);
            var callsUp = _timeline.Where(s => s.Seconds >= first.Seconds && s.Seconds <= last.Seconds).Select(s => (double)s.CallsUp).DefaultIfEmpty(0).Average();
            var callMinutes = callsUp * seconds / 60;
            (long Voluntary, long Involuntary)? switches = switchesFirst is { } a && switchesLast is { } b
                ? (b.Voluntary - a.Voluntary, b.Involuntary - a.Involuntary)
                : null;
            var callFrames = callsUp * seconds * 50;
            return new ProcessFigures
            {
                Pid = bridge ? options.BridgePid!.Value : Environment.ProcessId,
                BaselineRssBytes = start.Rss,
                SteadyRssBytes = steady,
                RssPerCallKiB = callsUp > 0 ? (steady - start.Rss) / 1024.0 / callsUp : 0,
                CpuSeconds = cpu,
                WindowSeconds = seconds,
                CpuMsPerCallMinute = callMinutes > 0 ? cpu * 1000 / callMinutes : 0,
                AverageCores = seconds > 0 ? cpu / seconds : 0,
                VoluntaryContextSwitches = switches?.Voluntary,
                InvoluntaryContextSwitches = switches?.Involuntary,
                ContextSwitchesPerCallFrame = switches is { } s && callFrames > 0 ? (s.Voluntary + s.Involuntary) / callFrames : null,
                WakeUpsPerCallFrame = switches is { } w && callFrames > 0 ? w.Voluntary / callFrames : null,
            };
        }

        private void Sample(double seconds)
        {
            var up = probes.Count(p => p.IsUp);
            MaxCallsUp = Math.Max(MaxCallsUp, up);
            var frames = metrics.FramesSent + metrics.FramesReceived;
            var interval = seconds - _lastSeconds;
            var fps = interval > 0 ? (frames - _lastFrames) / interval : 0;
            var bridge = options.BridgePid is { } pid ? ProcessSampler.Read(pid) : null;
            var tool = ProcessSampler.Read(Environment.ProcessId) ?? default;
            var previous = _raw.Count > 0 ? _raw[^1] : new Raw(0, _bridgeBaseline?.Cpu ?? 0, 0, _toolBaseline.Cpu, 0, null, null);
            _raw.Add(new Raw(
                seconds, bridge?.CpuSeconds ?? 0, bridge?.RssBytes ?? 0, tool.CpuSeconds, tool.RssBytes,
                options.BridgePid is { } switchesPid ? ProcessSampler.ContextSwitches(switchesPid) : null,
                ProcessSampler.ContextSwitches(Environment.ProcessId)));
            _timeline.Add(new LoadSample
            {
                Seconds = Math.Round(seconds, 2),
                CallsUp = up,
                FramesPerSecond = Math.Round(fps),
                BridgeCores = bridge is { } b && interval > 0 ? Math.Round((b.CpuSeconds - previous.BridgeCpu) / interval, 3) : null,
                BridgeRssMiB = bridge is { } r ? Math.Round(r.RssBytes / 1048576.0, 1) : null,
                ToolCores = interval > 0 ? Math.Round((tool.CpuSeconds - previous.ToolCpu) / interval, 3) : 0,
                ToolRssMiB = Math.Round(tool.RssBytes / 1048576.0, 1),
            });
            _lastFrames = frames;
            _lastSeconds = seconds;
            Print(seconds, up, fps);
        }

        private sealed record Raw(
            double Seconds, double BridgeCpu, long BridgeRss, double ToolCpu, long ToolRss,
            (long Voluntary, long Involuntary)? BridgeSwitches, (long Voluntary, long Involuntary)? ToolSwitches);

        // A TTY gets one line rewritten in place every sample; a pipe or file gets a line every 5 s.
        private void Print(double seconds, int up, double fps)
        {
            if (progress is null || (!_overwrite && seconds - _lastPrinted < 5))
            {
                return;
            }

            _lastPrinted = seconds;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{seconds,5:F0} s] calls up {up}/{options.Calls} · {fps,7:N0} frames/s · hop p99 in {metrics.InboundHop.Percentile(99) / 1000:F2} ms, out {metrics.OutboundHop.Percentile(99) / 1000:F2} ms · errors {metrics.ErrorTotal}");
            if (_overwrite)
            {
                progress.Write("\r" + line + "   ");
            }
            else
            {
                progress.WriteLine(line);
            }

            progress.Flush();
        }
    }
}
