using System.Collections.Concurrent;

namespace VoiceBridge.Server.Sessions;

/// <summary>The live calls of this instance: for the control API, shutdown, and tests that prove nothing leaks.</summary>
internal sealed class CallRegistry
{
    private readonly ConcurrentDictionary<TwilioCallSession, DateTimeOffset> _calls = new();

    public int Count => _calls.Count;

    public IEnumerable<TwilioCallSession> Calls => _calls.Keys;

    public void Add(TwilioCallSession session, DateTimeOffset started) => _calls[session] = started;

    public void Remove(TwilioCallSession session) => _calls.TryRemove(session, out _);
}
