using System.Globalization;

namespace VoiceBridge.Cli.Load;

/// <summary>
/// CPU time and resident memory of a process from Linux's /proc: <c>/proc/PID/stat</c> fields 14 and 15 (utime,
/// stime, in clock ticks of USER_HZ, which is 100 on every Linux ABI .NET runs on; proc(5)) and <c>VmRSS</c> from
/// <c>/proc/PID/status</c> (kB). Reads allocate a little; they happen once a second, not per frame.
/// </summary>
internal static class ProcessSampler
{
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds (user + system) and RSS bytes, or null when the process is gone or /proc is missing.</summary>
    public static (double CpuSeconds, long RssBytes)? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    break;
                }
            }

            return ((utime + stime) / TicksPerSecond, rss);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Context switches of every live thread of the process, summed: <c>voluntary_ctxt_switches</c> (the thread
    /// blocked: each one is followed by a wake-up) and <c>nonvoluntary_ctxt_switches</c> (preempted) from
    /// <c>/proc/PID/task/TID/status</c>. Threads that have exited are not counted (a thread pool that retires threads
    /// mid-window undercounts a little); null when /proc is missing.
    /// </summary>
    public static (long Voluntary, long Involuntary)? ContextSwitches(int pid)
    {
        try
        {
            long voluntary = 0, involuntary = 0;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            voluntary += long.Parse(line.AsSpan("voluntary_ctxt_switches:".Length).Trim(), CultureInfo.InvariantCulture);
                        }
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        {
                            involuntary += long.Parse(line.AsSpan("nonvoluntary_ctxt_switches:".Length).Trim(), CultureInfo.InvariantCulture);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The thread exited between listing and reading.
                }
            }

            return (voluntary, involuntary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average from /proc/loadavg (what <c>uptime</c> shows first), or null.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
