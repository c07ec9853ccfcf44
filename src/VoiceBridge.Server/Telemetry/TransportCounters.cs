namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// The per-frame counters of one transport at export: what its ended calls counted, a scratch total for the live
/// ones, and the tags of each series, built once.
/// </summary>
internal sealed class TransportCounters
{
    public TransportCounters(string transport, IReadOnlyList<string> dropReasons)
    {
        Ended = new CallCounterTotals(dropReasons.Count);
        Sum = new CallCounterTotals(dropReasons.Count);
        LegTags = new KeyValuePair<string, object?>[CallCounterTotals.Legs][];
        LegTags[CallCounterTotals.CallerIn] = Leg(transport, "caller", "in");
        LegTags[CallCounterTotals.CallerOut] = Leg(transport, "caller", "out");
        LegTags[CallCounterTotals.UpstreamIn] = Leg(transport, "upstream", "in");
        LegTags[CallCounterTotals.UpstreamOut] = Leg(transport, "upstream", "out");
        DropTags = dropReasons.Select(reason => new KeyValuePair<string, object?>[] { new("voicebridge.transport", transport), new("voicebridge.reason", reason) }).ToArray();
    }

    /// <summary>Counts of the transport's calls that have ended: kept so the counters never go down.</summary>
    public CallCounterTotals Ended { get; }

    /// <summary>Ended plus live calls, recomputed at each export.</summary>
    public CallCounterTotals Sum { get; }

    /// <summary>By <see cref="CallCounterTotals"/> leg index.</summary>
    public KeyValuePair<string, object?>[][] LegTags { get; }

    /// <summary>By drop reason (<c>CallDrop</c> value).</summary>
    public KeyValuePair<string, object?>[][] DropTags { get; }

    private static KeyValuePair<string, object?>[] Leg(string transport, string leg, string direction) =>
    [
        new("voicebridge.transport", transport),
        new("voicebridge.leg", leg),
        new("voicebridge.direction", direction),
    ];
}
