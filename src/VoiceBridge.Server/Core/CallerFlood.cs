namespace VoiceBridge.Server.Core;

/// <summary>
/// When a caller counts as flooding: more than <see cref="MaxRefused"/> refused messages (bad JSON, binary frames,
/// unknown events, frames over the rate) within one <see cref="Window"/>. The call is then closed with 1008. A
/// snapshot of <see cref="SessionOptions"/> (tests shrink it).
/// </summary>
internal sealed record CallerFlood
{
    public const int DefaultMaxRefused = 100;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(10);

    public int MaxRefused { get; init; } = DefaultMaxRefused;

    public TimeSpan Window { get; init; } = DefaultWindow;

    public static CallerFlood From(SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new() { MaxRefused = options.MaxRefusedMessages, Window = options.RefusedWindow };
    }
}
