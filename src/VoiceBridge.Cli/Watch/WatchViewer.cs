using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Cli.Load;

namespace VoiceBridge.Cli.Watch;

/// <summary>
/// One dashboard viewer, as the official .NET SignalR client: logs in like the page (the key for a session cookie),
/// connects to the hub, and measures what it gets — bytes as read from the socket, messages, call rows, and for every
/// row of an update the time from the change on the bridge (<c>changedAt</c>, the bridge's clock) to now (this
/// machine's clock: the same one when both run here).
/// </summary>
internal sealed class WatchViewer : IAsyncDisposable
{
    private readonly LatencyHistogram _latencies;
    private readonly Dictionary<string, (long Second, int Count)> _perCallSecond = new(StringComparer.Ordinal);
    private CountingWebSocket? _socket;
    private HubConnection? _connection;
    private string[] _liveCalls = [];
    private long _messages;
    private long _rows;
    private int _maxPerCallSecond;
    private volatile bool _measuring;

    private WatchViewer(LatencyHistogram latencies)
    {
        _latencies = latencies;
    }

    public long BytesReceived => _socket?.BytesReceived ?? 0;

    public long Messages => Interlocked.Read(ref _messages);

    public long Rows => Interlocked.Read(ref _rows);

    public int MaxUpdatesPerCallSecond => Volatile.Read(ref _maxPerCallSecond);

    public bool Dropped { get; private set; }

    public int CallsSeen => Volatile.Read(ref _liveCalls).Length;

    public static async Task<WatchViewer> ConnectAsync(WatchOptions options, LatencyHistogram latencies, CancellationToken cancellationToken)
    {
        var cookies = new CookieContainer();
        using (var handler = new HttpClientHandler { CookieContainer = cookies, UseCookies = true })
        using (var http = new HttpClient(handler) { BaseAddress = options.BridgeUrl, Timeout = TimeSpan.FromSeconds(30) })
        using (var body = JsonContent.Create(new WatchLogin(options.Key), WatchJsonContext.Default.WatchLogin))
        using (var response = await http.PostAsync(new Uri("/ops/login", UriKind.Relative), body, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        var viewer = new WatchViewer(latencies);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(options.BridgeUrl, "/ops/hub"), hub =>
            {
                hub.Transports = HttpTransportType.WebSockets;
                hub.SkipNegotiation = true;
                hub.Cookies = cookies;
                hub.WebSocketFactory = viewer.OpenSocketAsync;
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, WatchJsonContext.Default))
            .Build();
        connection.On<JsonElement>("calls", viewer.OnCalls);
        connection.On<JsonElement>("call", _ => viewer.Count());
        connection.On<JsonElement>("hello", _ => viewer.Count());
        connection.Closed += _ =>
        {
            viewer.Dropped = true;
            return Task.CompletedTask;
        };
        viewer._connection = connection;
        await connection.StartAsync(cancellationToken);
        return viewer;
    }

    /// <summary>From now on, messages and rows are counted and update latencies recorded.</summary>
    public void StartMeasuring() => _measuring = true;

    public void StopMeasuring() => _measuring = false;

    /// <summary>Opens the <paramref name="index"/>-th live call the last keyframe listed (as a person clicks a row).</summary>
    public async Task OpenACallAsync(int index, CancellationToken cancellationToken)
    {
        var calls = Volatile.Read(ref _liveCalls);
        if (calls.Length > 0 && _connection is { } connection)
        {
            await connection.InvokeAsync("Watch", calls[index % calls.Length], cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            Dropped = false;
            await connection.DisposeAsync();
        }
    }

    private async ValueTask<WebSocket> OpenSocketAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
#pragma warning disable CA2000 // Disposed on failure below; on success the hub connection owns it (it disposes the socket it was handed).
        var socket = new ClientWebSocket();
#pragma warning restore CA2000
        try
        {
            socket.Options.Cookies = context.Options.Cookies;
            var uri = new UriBuilder(context.Uri);
            uri.Scheme = uri.Scheme switch { "http" => "ws", "https" => "wss", _ => uri.Scheme };
            await socket.ConnectAsync(uri.Uri, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = new CountingWebSocket(socket);
        return _socket;
    }

    private void Count()
    {
        if (_measuring)
        {
            Interlocked.Increment(ref _messages);
        }
    }

    // Handlers of one connection run one at a time, in order.
    private void OnCalls(JsonElement update)
    {
        var now = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
        var rows = update.GetProperty("rows");
        if (update.GetProperty("keyframe").GetBoolean())
        {
            var live = new List<string>();
            foreach (var row in rows.EnumerateArray())
            {
                if (!row.TryGetProperty("endedAt", out var ended) || ended.ValueKind == JsonValueKind.Null)
                {
                    live.Add(row.GetProperty("id").GetString()!);
                }
            }

            Volatile.Write(ref _liveCalls, [.. live]);
            Count();
            return;
        }

        if (!_measuring)
        {
            return;
        }

        Interlocked.Increment(ref _messages);
        var second = (long)(now / 1000);
        foreach (var row in rows.EnumerateArray())
        {
            Interlocked.Increment(ref _rows);
            if (row.TryGetProperty("changedAt", out var changed) && changed.TryGetInt64(out var changedAt) && changedAt > 0)
            {
                _latencies.Record((long)((now - changedAt) * 1000));
            }

            var id = row.GetProperty("id").GetString()!;
            var count = _perCallSecond.TryGetValue(id, out var seen) && seen.Second == second ? seen.Count + 1 : 1;
            _perCallSecond[id] = (second, count);
            if (count > _maxPerCallSecond)
            {
                Volatile.Write(ref _maxPerCallSecond, count);
            }
        }
    }
}
