using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace VoiceBridge.EndToEnd.Tests.Cluster;

/// <summary>
/// The operations dashboard of one instance as the official .NET SignalR client: logs in with a key (the session
/// cookie), connects to that instance's hub and keeps every <c>calls</c> message it receives.
/// </summary>
internal sealed class DashboardViewer : IAsyncDisposable
{
    private readonly Channel<JsonElement> _calls = Channel.CreateUnbounded<JsonElement>();
    private readonly HubConnection _connection;

    private DashboardViewer(HubConnection connection)
    {
        _connection = connection;
        _connection.On<JsonElement>("calls", message => _calls.Writer.TryWrite(message));
    }

    public static async Task<DashboardViewer> ConnectAsync(Uri instance, string key)
    {
        var cookies = new CookieContainer();
        using (var handler = new HttpClientHandler { CookieContainer = cookies })
        using (var http = new HttpClient(handler) { BaseAddress = instance })
        using (var login = await http.PostAsJsonAsync(new Uri("/ops/login", UriKind.Relative), new { key }, TestContext.Current.CancellationToken))
        {
            login.EnsureSuccessStatusCode();
        }

        var connection = new HubConnectionBuilder().WithUrl(new Uri(instance, "/ops/hub"), options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.Cookies = cookies;
        }).Build();
        var viewer = new DashboardViewer(connection);
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return viewer;
    }

    /// <summary>The instance the first <c>calls</c> message showing <paramref name="callId"/> names as its holder.</summary>
    public async Task<string> RowInstanceAsync(string callId, TimeSpan timeout)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(timeout);
        while (true)
        {
            JsonElement message;
            try
            {
                message = await _calls.Reader.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"call {callId} was not shown on the dashboard within {timeout.TotalSeconds} s");
            }

            foreach (var row in message.GetProperty("rows").EnumerateArray())
            {
                if (row.GetProperty("id").GetString() == callId)
                {
                    return row.GetProperty("instance").GetString()!;
                }
            }
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
