using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Telemetry;

/// <summary>
/// The outcome of recent upstream connects, recorded by every call's <see cref="CallTelemetry"/>. Readiness reads it
/// instead of calling the network: a probe that opened a paid realtime session every few seconds would cost money and
/// prove little.
/// </summary>
internal sealed class UpstreamHealth(IOptions<TelemetryOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private int _consecutiveFailures;
    private long _lastFailureTimestamp;
    private string? _lastFailure;

    public void RecordSuccess()
    {
        lock (_lock)
        {
            _consecutiveFailures = 0;
        }
    }

    public void RecordFailure(string reason)
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            _lastFailureTimestamp = time.GetTimestamp();
            _lastFailure = reason;
        }
    }

    /// <summary>Null when the upstream is presumed reachable; otherwise why not.</summary>
    public string? NotReadyReason()
    {
        var settings = options.Value;
        lock (_lock)
        {
            if (_consecutiveFailures < settings.UpstreamFailuresBeforeNotReady
                || time.GetElapsedTime(_lastFailureTimestamp) > TimeSpan.FromSeconds(settings.UpstreamFailureWindowSeconds))
            {
                return null;
            }

            return $"the last {_consecutiveFailures} upstream connects failed (last: {_lastFailure})";
        }
    }
}
