namespace VoiceBridge.Server.Core;

/// <summary>Per-call counts, written from the call's loops and read by tests, the control API and metrics.</summary>
internal sealed class CallCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<CallDrop>().Length];
    private long _outboundBytes;

    /// <summary>Assistant audio bytes handed to the caller (μ-law bytes on a phone leg, PCM bytes on a client leg).</summary>
    public long OutboundBytes => Interlocked.Read(ref _outboundBytes);

    public long this[CallDrop drop] => Interlocked.Read(ref _drops[(int)drop]);

    public void Add(CallDrop drop) => Interlocked.Increment(ref _drops[(int)drop]);

    public void AddOutbound(int bytes) => Interlocked.Add(ref _outboundBytes, bytes);
}
