namespace VoiceBridge.Server.Sessions;

/// <summary>Per-call counts, written from the call's loops and read by tests, the control API and metrics.</summary>
internal sealed class CallCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<CallDrop>().Length];
    private long _outboundBytes;

    /// <summary>μ-law bytes of assistant audio sent to the caller.</summary>
    public long OutboundBytes => Interlocked.Read(ref _outboundBytes);

    public long this[CallDrop drop] => Interlocked.Read(ref _drops[(int)drop]);

    /// <summary>Receives every count too (the <c>voicebridge.frames.dropped</c> metric).</summary>
    public Telemetry.CallTelemetry? Observer { get; set; }

    public void Add(CallDrop drop)
    {
        Interlocked.Increment(ref _drops[(int)drop]);
        Observer?.OnDrop(drop);
    }

    public void AddOutbound(int bytes) => Interlocked.Add(ref _outboundBytes, bytes);
}
