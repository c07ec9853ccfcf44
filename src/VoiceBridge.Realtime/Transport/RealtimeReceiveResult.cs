namespace VoiceBridge.Realtime.Transport;

/// <summary>Either a server event (<see cref="Message"/>, owned by the caller) or the end of the session.</summary>
public readonly record struct RealtimeReceiveResult
{
    private RealtimeReceiveResult(RealtimeMessage message, UpstreamEnd? end)
    {
        Message = message;
        End = end;
    }

    public RealtimeMessage Message { get; }

    /// <summary>Set when the session has ended; <see cref="Message"/> is then empty.</summary>
    public UpstreamEnd? End { get; }

    public bool IsEnd => End is not null;

    public static RealtimeReceiveResult Received(RealtimeMessage message) => new(message, null);

    public static RealtimeReceiveResult Ended(UpstreamEnd end) => new(default, end);
}
