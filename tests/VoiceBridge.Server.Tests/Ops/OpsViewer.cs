using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace VoiceBridge.Server.Tests.Ops;

/// <summary>
/// One dashboard viewer, as the official .NET SignalR client: every message it gets (<c>hello</c>, <c>calls</c>,
/// <c>call</c>) in order, and the call rows and transcript as a page would merge them.
/// </summary>
internal sealed class OpsViewer : IAsyncDisposable
{
    private readonly Channel<Received> _inbox = Channel.CreateUnbounded<Received>();
    private readonly List<Received> _all = [];

    private OpsViewer(HubConnection connection)
    {
        Connection = connection;
        foreach (var type in new[] { "hello", "calls", "call" })
        {
            connection.On<JsonElement>(type, message =>
            {
                var received = new Received(type, message, DateTimeOffset.UtcNow);
                lock (_all)
                {
                    _all.Add(received);
                }

                _inbox.Writer.TryWrite(received);
            });
        }
    }

    public HubConnection Connection { get; }

    public static HubConnection Build(Uri hub, CookieContainer? cookies, string? origin = null) =>
        new HubConnectionBuilder().WithUrl(hub, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            if (cookies is not null)
            {
                options.Cookies = cookies;
            }

            if (origin is not null)
            {
                options.Headers["Origin"] = origin;
            }
        }).Build();

    public static async Task<OpsViewer> ConnectAsync(Uri hub, CookieContainer cookies)
    {
        var viewer = new OpsViewer(Build(hub, cookies));
        await viewer.Connection.StartAsync(TestContext.Current.CancellationToken);
        return viewer;
    }

    /// <summary>Every message so far, in arrival order.</summary>
    public IReadOnlyList<Received> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>The next message of <paramref name="type"/> that satisfies <paramref name="where"/>, within 20 s.</summary>
    public async Task<JsonElement> NextAsync(string type, Func<JsonElement, bool>? where = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await _inbox.Reader.ReadAsync(timeout.Token);
            if (next.Type == type && (where is null || where(next.Message)))
            {
                return next.Message;
            }
        }
    }

    /// <summary>The row of <paramref name="callId"/> in a <c>calls</c> message, or null.</summary>
    public static JsonElement? Row(JsonElement calls, string callId)
    {
        foreach (var row in calls.GetProperty("rows").EnumerateArray())
        {
            if (row.GetProperty("id").GetString() == callId)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>The next <c>calls</c> message whose row for <paramref name="callId"/> satisfies <paramref name="where"/>.</summary>
    public async Task<JsonElement> NextRowAsync(string callId, Func<JsonElement, bool> where)
    {
        var calls = await NextAsync("calls", message => Row(message, callId) is { } row && where(row));
        return Row(calls, callId)!.Value;
    }

    /// <summary>The call's transcript as a page merges it: keyframes replace, updates merge by item id.</summary>
    public IReadOnlyList<(string ItemId, string Role, string Text)> Transcript(string callId)
    {
        var turns = new List<(string ItemId, string Role, string Text)>();
        foreach (var received in All.Where(m => m.Type == "call" && m.Message.GetProperty("id").GetString() == callId))
        {
            if (received.Message.GetProperty("keyframe").GetBoolean())
            {
                turns.Clear();
            }

            foreach (var turn in received.Message.GetProperty("turns").EnumerateArray())
            {
                var entry = (turn.GetProperty("itemId").GetString()!, turn.GetProperty("role").GetString()!, turn.GetProperty("text").GetString()!);
                var at = turns.FindIndex(t => t.ItemId == entry.Item1);
                if (at >= 0)
                {
                    turns[at] = entry;
                }
                else
                {
                    turns.Add(entry);
                }
            }
        }

        return turns;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    internal sealed record Received(string Type, JsonElement Message, DateTimeOffset At);
}
