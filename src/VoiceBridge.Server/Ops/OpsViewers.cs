using Microsoft.AspNetCore.SignalR;

namespace VoiceBridge.Server.Ops;

/// <summary>
/// The dashboard connections of this instance: how many (capped by <c>Ops:MaxViewers</c>), which calls each has open
/// (a call's transcript updates are only worked out while someone may be watching it), and the end of each one's
/// session (the connection is closed when its login runs out).
/// </summary>
internal sealed class OpsViewers(TimeProvider time) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Viewer> _viewers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _watched = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _viewers.Count;
            }
        }
    }

    /// <summary>A connection opened: closed by the server when <paramref name="expires"/> comes.</summary>
    public void Connected(HubCallerContext connection, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var due = expires - time.GetUtcNow();
        var timer = time.CreateTimer(static state => ((HubCallerContext)state!).Abort(), connection, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _viewers[connection.ConnectionId] = new Viewer(timer);
        }
    }

    public void Disconnected(string connectionId)
    {
        Viewer? viewer;
        lock (_gate)
        {
            if (!_viewers.Remove(connectionId, out viewer))
            {
                return;
            }

            foreach (var callId in viewer.Watching)
            {
                Unwatch(callId);
            }
        }

        viewer.Timer.Dispose();
    }

    public void Watch(string connectionId, string callId)
    {
        lock (_gate)
        {
            if (_viewers.TryGetValue(connectionId, out var viewer) && viewer.Watching.Add(callId))
            {
                _watched[callId] = _watched.GetValueOrDefault(callId) + 1;
            }
        }
    }

    public void Unwatch(string connectionId, string callId)
    {
        lock (_gate)
        {
            if (_viewers.TryGetValue(connectionId, out var viewer) && viewer.Watching.Remove(callId))
            {
                Unwatch(callId);
            }
        }
    }

    /// <summary>Whether a connection of this instance has the call open.</summary>
    public bool IsWatched(string callId)
    {
        lock (_gate)
        {
            return _watched.ContainsKey(callId);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var viewer in _viewers.Values)
            {
                viewer.Timer.Dispose();
            }

            _viewers.Clear();
        }
    }

    // Under _gate.
    private void Unwatch(string callId)
    {
        if (_watched.TryGetValue(callId, out var count))
        {
            if (count <= 1)
            {
                _watched.Remove(callId);
            }
            else
            {
                _watched[callId] = count - 1;
            }
        }
    }

    private sealed class Viewer(ITimer timer)
    {
        public ITimer Timer { get; } = timer;

        public HashSet<string> Watching { get; } = new(StringComparer.Ordinal);
    }
}
