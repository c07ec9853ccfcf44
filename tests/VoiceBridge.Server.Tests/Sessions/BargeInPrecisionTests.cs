using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// How far the truncation point (<c>audio_end_ms</c>) is from what the caller had heard when the clear went out, for
/// each way of following playback: the tracker driven as the session drives it (a frame per 20 ms, a mark after each
/// delta and every <see cref="PlaybackSettings.MarkEveryFrames"/> frames) against a simulated Twilio
/// (<see cref="TwilioPlayer"/>), on a fake clock, barging in every 7.3 ms over the whole reply. Deltas of 100 ms, 500 ms
/// and 2 s, arriving 4× faster than real time (a model ahead of playback) and 0.8× (slower: playback runs dry between
/// deltas). The figures are reported; the ±20 ms bound is asserted for the approaches that claim it.
/// </summary>
public sealed class BargeInPrecisionTests
{
    private const double FrameMs = 20;
    private const double SweepStepMs = 7.3;

    private static readonly int[] s_deltaSizes = [100, 500, 2000];

    // Arrival interval of deltas as a share of their length: 0.25 = four times faster than they play; 1.25 = slower.
    private static readonly double[] s_pacings = [0.25, 1.25];

    private static readonly Dictionary<string, (PlaybackSettings Settings, bool WithinBound)> s_approaches = new()
    {
        ["before: last echoed mark, a mark per delta"] = (new PlaybackSettings { Interpolate = false }, false),
        ["(a) a mark every frame"] = (new PlaybackSettings { MarkEveryFrames = 1, Interpolate = false }, true),
        ["(b) interpolated, a mark per delta"] = (new PlaybackSettings(), true),
        ["(a+b) a mark every 10 frames, interpolated"] = (new PlaybackSettings { MarkEveryFrames = 10 }, true),
    };

    public static TheoryData<string> Approaches() => [.. s_approaches.Keys];

    [Theory]
    [MemberData(nameof(Approaches))]
    public void TruncationPoint_IsWithin20Ms_OfWhatTheCallerHeard_WhateverTheDeltaSize(string approach)
    {
        var (settings, withinBound) = s_approaches[approach];
        foreach (var deltaMs in s_deltaSizes)
        {
            var errors = new List<double>();
            var messages = 0;
            foreach (var pacing in s_pacings)
            {
                var reply = Reply.Of(deltaMs, pacing);
                messages += Simulate(settings, reply, bargeInAt: null).Messages;
                for (var at = 1.0; at < reply.PlaybackEndMs; at += SweepStepMs)
                {
                    errors.Add(Simulate(settings, reply, at).ErrorMs);
                }
            }

            var audioSeconds = s_pacings.Length * Reply.Of(deltaMs, 1).AudioMs / 1000;
            Report(approach, deltaMs, errors, messages / audioSeconds);
            if (withinBound)
            {
                Assert.All(errors, e => Assert.InRange(e, -20, 20));
            }
        }
    }

    [Fact]
    public void WithNetworkDelay_TheErrorGrowsByAtMostTheDelay()
    {
        // Not a bound the bridge can keep: audio reaches Twilio one network delay after it was sent, and an echo
        // reaches the bridge one delay after the audio played. Reported so the figures above are read for what they
        // are (the bridge's view, with echoes on time).
        const double DelayMs = 40;
        foreach (var approach in new[] { "(a) a mark every frame", "(b) interpolated, a mark per delta" })
        {
            var errors = new List<double>();
            var reply = Reply.Of(500, 0.25);
            for (var at = 1.0; at < reply.PlaybackEndMs; at += SweepStepMs)
            {
                errors.Add(Simulate(s_approaches[approach].Settings, reply, at, DelayMs).ErrorMs);
            }

            var sorted = errors.Select(Math.Abs).Order().ToList();
            Figures.Report("bargein", string.Create(CultureInfo.InvariantCulture,
                $"barge-in {approach}, 500 ms deltas, 40 ms each way to Twilio: error {errors.Min():F1}..{errors.Max():F1} ms, median |error| {sorted[sorted.Count / 2]:F1} ms (n={errors.Count})"));
            Assert.All(errors, e => Assert.InRange(e, -(DelayMs + FrameMs), DelayMs));
        }
    }

    private static void Report(string approach, int deltaMs, List<double> errors, double messagesPerSecond)
    {
        var sorted = errors.Select(Math.Abs).Order().ToList();
        Figures.Report("bargein", string.Create(CultureInfo.InvariantCulture,
            $"barge-in {approach}, {deltaMs} ms deltas: worst |error| {sorted[^1]:F1} ms, median {sorted[sorted.Count / 2]:F1} ms, signed {errors.Min():F1}..{errors.Max():F1} ms (n={errors.Count}); {messagesPerSecond:F1} messages to Twilio per second of audio"));
    }

    /// <summary>
    /// Plays <paramref name="reply"/> through the tracker and a simulated Twilio; at <paramref name="bargeInAt"/> the
    /// caller speaks. Returns the truncation point minus what the caller had heard then (0 when nothing was playing
    /// and everything sent had been heard), and the messages sent to Twilio.
    /// </summary>
    private static (double ErrorMs, int Messages) Simulate(PlaybackSettings settings, Reply reply, double? bargeInAt, double delayMs = 0)
    {
        var time = new FakeTimeProvider();
        var tracker = new PlaybackTracker(time, settings);
        var twilio = new TwilioPlayer();
        tracker.OnResponseCreated("resp_1");
        var now = 0.0;
        var nextDelta = 0;
        var sentMs = 0.0;
        var until = bargeInAt ?? double.PositiveInfinity;
        while (true)
        {
            var deltaAt = nextDelta < reply.Deltas ? nextDelta * reply.IntervalMs : double.PositiveInfinity;
            var echoAt = twilio.NextEchoAt + delayMs ?? double.PositiveInfinity;
            var next = Math.Min(deltaAt, echoAt);
            if (next > until || double.IsPositiveInfinity(next))
            {
                break;
            }

            time.Advance(TimeSpan.FromMilliseconds(next - now));
            now = next;
            if (echoAt <= deltaAt)
            {
                Assert.Equal(MarkEchoKind.Played, tracker.OnMarkEchoed(long.Parse(twilio.TakeEcho(), CultureInfo.InvariantCulture)).Kind);
                continue;
            }

            // What the session does with one delta: its frames, a mark every MarkEveryFrames, a mark at its end.
            for (var frame = 0; frame < reply.DeltaMs / FrameMs; frame++)
            {
                twilio.Media(now + delayMs, FrameMs);
                sentMs += FrameMs;
                if (tracker.OnFrameSent("item_1", FrameMs))
                {
                    twilio.Mark(now + delayMs, tracker.TakeMark()!.Value.ToString(CultureInfo.InvariantCulture));
                }
            }

            if (tracker.TakeMark() is { } mark)
            {
                twilio.Mark(now + delayMs, mark.ToString(CultureInfo.InvariantCulture));
            }

            nextDelta++;
        }

        var messages = twilio.MediaMessages + twilio.MarkMessages;
        if (bargeInAt is not { } at)
        {
            return (0, messages);
        }

        time.Advance(TimeSpan.FromMilliseconds(at - now));
        var heard = twilio.HeardMs(at);
        var decision = tracker.OnSpeechStarted();
        if (decision.TruncateItemId is null)
        {
            // Nothing pending: the bridge holds that all it sent was heard.
            return (sentMs - heard, messages);
        }

        Assert.Equal("item_1", decision.TruncateItemId);
        return (decision.TruncateAtMs - heard, messages);
    }

    /// <summary>A reply of <see cref="Deltas"/> deltas of <see cref="DeltaMs"/>, one every <see cref="IntervalMs"/>.</summary>
    private sealed record Reply(int DeltaMs, int Deltas, double IntervalMs)
    {
        public double AudioMs => DeltaMs * Deltas;

        // Playback ends with the last delta when deltas come slower than they play, otherwise after all of them.
        public double PlaybackEndMs => IntervalMs >= DeltaMs ? ((Deltas - 1) * IntervalMs) + DeltaMs : AudioMs;

        // At least six deltas and three seconds of audio.
        public static Reply Of(int deltaMs, double pacing) =>
            new(deltaMs, Math.Max(6, 3000 / deltaMs), deltaMs * pacing);
    }
}
