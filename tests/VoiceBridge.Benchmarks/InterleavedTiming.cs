using System.Diagnostics;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// A second opinion for busy machines: ours, speexdsp q3 and q5 timed in turn, 60 rounds of 1000 frames each,
/// keeping each one's fastest round. Interleaving exposes all three to the same background load, so the
/// ratio stays meaningful when BenchmarkDotNet's separate runs land in different load (seen: load average 10
/// on 2 cores turned q3 slower than q5 in one ShortRun).
/// </summary>
internal static class InterleavedTiming
{
    private const int Rounds = 60;
    private const int FramesPerRound = 1000;

    public static void Print()
    {
        Console.WriteLine($"Interleaved timing (fastest of {Rounds} rounds x {FramesPerRound} frames), ns per 20 ms frame incl. mu-law:");
        using var inbound = new PhoneInboundBenchmarks();
        using var outbound = new PhoneOutboundBenchmarks();
        foreach (var (name, leg) in new (string, PhoneLegBenchmarks)[] { ("mu-law decode + 8k->24k", inbound), ("24k->8k + mu-law encode", outbound) })
        {
            leg.Setup();
            var runs = new Func<int>[] { leg.Ours, leg.SpeexQuality3, leg.SpeexQuality5 };
            var best = new double[runs.Length];
            Array.Fill(best, double.MaxValue);
            for (var round = 0; round < Rounds; round++)
            {
                for (var r = 0; r < runs.Length; r++)
                {
                    var clock = Stopwatch.StartNew();
                    for (var frame = 0; frame < FramesPerRound; frame++)
                    {
                        runs[r]();
                    }

                    best[r] = Math.Min(best[r], clock.Elapsed.TotalNanoseconds / FramesPerRound);
                }
            }

            Console.WriteLine(
                $"  {name,-24} ours {best[0],6:F0}  speexdsp q3 {best[1],6:F0}  q5 {best[2],6:F0}  ours/q3 {best[0] / best[1]:F2}  ours/q5 {best[0] / best[2]:F2}");
        }
    }
}
