using System.Diagnostics;
using VoiceBridge.Audio;

namespace VoiceBridge.Benchmarks;

/// <summary>Makes sure libspeexdsp is loadable (installing it when we may) and checks it is called correctly.</summary>
internal static class Comparator
{
    public const string Category = "speexdsp";

    /// <summary>True when the speexdsp rows can run; otherwise prints one line saying how to get them.</summary>
    public static bool EnsureAvailable()
    {
        if (SpeexDsp.IsAvailable())
        {
            return true;
        }

        if (Environment.IsPrivilegedProcess && OperatingSystem.IsLinux())
        {
            Console.WriteLine($"{SpeexDsp.Library} not found; running: apt-get install -y libspeexdsp1");
            using var install = Process.Start(new ProcessStartInfo("apt-get", "install -y libspeexdsp1") { UseShellExecute = false });
            install?.WaitForExit();
            if (SpeexDsp.IsAvailable())
            {
                return true;
            }
        }

        Console.WriteLine(
            $"speexdsp comparator skipped: {SpeexDsp.Library} is missing; install it with `sudo apt-get install -y libspeexdsp1` (Debian/Ubuntu) and run again.");
        return false;
    }

    /// <summary>
    /// Runs 1 s of a 997 Hz tone at −6 dBFS through ours and speexdsp in 20 ms frames, both directions, and
    /// prints total samples out and the steady-state RMS: the comparator is wired right if they agree.
    /// </summary>
    public static void PrintSanityCheck()
    {
        Console.WriteLine("Sanity check (1 s, 997 Hz at -6 dBFS, 20 ms frames): samples out, RMS of the last 0.5 s");
        foreach (var (inputRate, outputRate) in new[] { (8000, 24000), (24000, 8000) })
        {
            var input = new short[inputRate];
            for (var n = 0; n < input.Length; n++)
            {
                input[n] = (short)Math.Round(16384 * Math.Sin(2 * Math.PI * 997 * n / inputRate));
            }

            var ours = Resampler.Create(inputRate, outputRate);
            Report("ours", inputRate, outputRate, input, ours.Process);
            foreach (var quality in new[] { SpeexDsp.QualityVoip, SpeexDsp.QualityDesktop })
            {
                using var speex = new SpeexResampler(inputRate, outputRate, quality);
                Report($"speexdsp q{quality}", inputRate, outputRate, input, speex.Process);
            }
        }
    }

    private static void Report(string name, int inputRate, int outputRate, short[] input, ProcessFrame process)
    {
        var output = new short[outputRate * 2];
        var written = 0;
        var frame = inputRate / 50;
        var shortFrames = 0;
        for (var start = 0; start < input.Length; start += frame)
        {
            var count = process(input.AsSpan(start, frame), output.AsSpan(written, outputRate / 25));
            shortFrames += count == outputRate / 50 ? 0 : 1;
            written += count;
        }

        var sum = 0.0;
        var from = written - (outputRate / 2);
        for (var n = from; n < written; n++)
        {
            sum += (double)output[n] * output[n];
        }

        var rms = Math.Sqrt(sum / (written - from));
        Console.WriteLine(
            $"  {inputRate,5}->{outputRate,-5} {name,-14} {written,6} samples ({shortFrames} frames not {outputRate / 50} long), RMS {rms,8:F1} ({20 * Math.Log10(rms / 32767):F2} dBFS)");
    }
}
