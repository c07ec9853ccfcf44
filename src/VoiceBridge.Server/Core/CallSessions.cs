using Microsoft.Extensions.Options;
using VoiceBridge.Realtime.Transport;

namespace VoiceBridge.Server.Core;

/// <summary>
/// Runs calls: the one place a transport's endpoint hands its leg to. Builds the call's observers and features from what
/// the feature folders registered (audit, telemetry, tools, operator control, the operations feed), registers the call
/// while it lives, runs it to its end.
/// </summary>
internal sealed class CallSessions(
    IRealtimeConnector connector,
    TimeProvider time,
    ILoggerFactory loggers,
    IOptions<SessionOptions> options,
    CallRegistry registry,
    IEnumerable<ICallObserverFactory> observers,
    IEnumerable<ICallFeatureFactory> features)
{
    private readonly ICallObserverFactory[] _observers = [.. observers];
    private readonly CallServices _services = new()
    {
        Connector = connector,
        Time = time,
        Logger = loggers.CreateLogger<CallSession>(),
        Reconnect = UpstreamReconnect.From(options.Value),
        Flood = CallerFlood.From(options.Value),
        SettleTimeout = options.Value.SettleTimeout,
        Registry = registry,
        Features = [.. features],
    };

    /// <summary>Runs one call on <paramref name="leg"/> to its end (the request's abort is the caller's connection dropping).</summary>
    public async Task<CallEndReason> RunAsync(ICallerLeg leg, CancellationToken aborted)
    {
        using var call = new CallSession(leg, _services);
        // Made on this flow before the call runs: an observer may make its span current for everything the call does.
        var made = new List<ICallObserver>(_observers.Length + 1) { call.Transcript };
        foreach (var factory in _observers)
        {
            if (factory.Create(call, leg.Transport, leg.UpstreamAudio) is { } observer)
            {
                made.Add(observer);
            }
        }

        await using var observing = new CallObservers([.. made]);
        call.Observe(observing);
        registry.Add(call, time.GetUtcNow());
        try
        {
            return await call.RunAsync(aborted);
        }
        finally
        {
            registry.Remove(call);
        }
    }
}
