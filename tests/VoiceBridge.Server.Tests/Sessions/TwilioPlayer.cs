namespace VoiceBridge.Server.Tests.Sessions;

/// <summary>
/// Twilio's side of playback as docs/protocols/twilio-media-streams.md describes it: audio is queued as it arrives and
/// played in order in real time, a mark is echoed when the audio queued before it has played, <c>clear</c> drops
/// what is queued. Times are milliseconds on the test's clock. The truth the bridge's estimate is measured against.
/// </summary>
internal sealed class TwilioPlayer
{
    private readonly List<(double Start, double Ms)> _media = [];
    private readonly Queue<(string Name, double EchoAt)> _marks = new();
    private double _end = double.NegativeInfinity;

    /// <summary>Media messages received (all calls to <see cref="Media"/>).</summary>
    public int MediaMessages { get; private set; }

    /// <summary>Mark messages received.</summary>
    public int MarkMessages { get; private set; }

    /// <summary>When the next echo is due, if a mark is pending.</summary>
    public double? NextEchoAt => _marks.TryPeek(out var next) ? next.EchoAt : null;

    /// <summary>Audio of <paramref name="ms"/> arrived at <paramref name="at"/>: it plays once everything before it has.</summary>
    public void Media(double at, double ms)
    {
        var start = Math.Max(at, _end);
        _media.Add((start, ms));
        _end = start + ms;
        MediaMessages++;
    }

    /// <summary>A mark arrived: echoed once the audio before it has played.</summary>
    public void Mark(double at, string name)
    {
        _marks.Enqueue((name, Math.Max(at, _end)));
        MarkMessages++;
    }

    /// <summary>The next due echo.</summary>
    public string TakeEcho() => _marks.Dequeue().Name;

    /// <summary>Milliseconds heard by <paramref name="at"/> since the last clear.</summary>
    public double HeardMs(double at) => _media.Sum(m => Math.Clamp(at - m.Start, 0, m.Ms));

    /// <summary>A clear at <paramref name="at"/>: playback stops, and every pending mark comes back at once.</summary>
    public List<string> Clear(double at)
    {
        var returned = _marks.Select(m => m.Name).ToList();
        _marks.Clear();
        _media.Clear();
        _end = at;
        return returned;
    }
}
