namespace VoiceBridge.Server.Telemetry;

/// <summary>Audio frames and bytes per leg and direction, and drops per reason: of one call, or summed over calls.</summary>
internal sealed class CallCounterTotals(int dropReasons)
{
    public const int CallerIn = 0;
    public const int CallerOut = 1;
    public const int UpstreamIn = 2;
    public const int UpstreamOut = 3;
    public const int Legs = 4;

    public long[] Frames { get; } = new long[Legs];

    public long[] Bytes { get; } = new long[Legs];

    public long[] Drops { get; } = new long[dropReasons];

    public void Add(CallCounterTotals other)
    {
        for (var leg = 0; leg < Legs; leg++)
        {
            Frames[leg] += other.Frames[leg];
            Bytes[leg] += other.Bytes[leg];
        }

        for (var reason = 0; reason < Drops.Length; reason++)
        {
            Drops[reason] += other.Drops[reason];
        }
    }

    public void CopyFrom(CallCounterTotals other)
    {
        other.Frames.CopyTo(Frames, 0);
        other.Bytes.CopyTo(Bytes, 0);
        other.Drops.CopyTo(Drops, 0);
    }
}
