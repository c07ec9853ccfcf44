using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VoiceBridge.Server.Cluster;

namespace VoiceBridge.Server.Tests.Cluster;

/// <summary>
/// The extension point the operations dashboard's hub plugs into: with <c>Cluster:Redis</c>, a message a hub sends on
/// one instance reaches a viewer connected to another (Redis backplane); without it, it stays on its instance.
/// </summary>
public sealed class BackplaneTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HubMessageSentOnOneInstance_ReachesAViewerOnTheOther_OnlyWithTheBackplane()
    {
        var prefix = TestRedis.NewPrefix();
        await using var a = await StartAsync(TestRedis.Address(), prefix);
        await using var b = await StartAsync(TestRedis.Address(), prefix);
        await using var viewer = await ConnectAsync(a);
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.On<string>("call", id => seen.TrySetResult(id));
        // Subscriptions are made when the viewer connects; a message sent on B goes through Redis to A's viewer.
        await b.Services.GetRequiredService<IHubContext<TestHub>>().Clients.All.SendAsync("call", "CA-on-b", Ct);

        Assert.Equal("CA-on-b", await seen.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));

        // Alone (no Cluster:Redis) the same hub keeps its messages to itself: the viewer on A sees only A's.
        await using var lonelyA = await StartAsync(null, prefix);
        await using var lonelyB = await StartAsync(null, prefix);
        await using var lonelyViewer = await ConnectAsync(lonelyA);
        var received = new List<string>();
        var fromA = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lonelyViewer.On<string>("call", id =>
        {
            lock (received)
            {
                received.Add(id);
            }

            if (id == "CA-on-a")
            {
                fromA.TrySetResult();
            }
        });
        await lonelyB.Services.GetRequiredService<IHubContext<TestHub>>().Clients.All.SendAsync("call", "CA-on-b", Ct);
        await lonelyA.Services.GetRequiredService<IHubContext<TestHub>>().Clients.All.SendAsync("call", "CA-on-a", Ct);
        await fromA.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        lock (received)
        {
            Assert.Equal(["CA-on-a"], received);
        }
    }

    private static async Task<WebApplication> StartAsync(string? redis, string prefix)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Cluster:Redis"] = redis, ["Cluster:KeyPrefix"] = prefix });
        builder.Services.AddSignalR().AddClusterBackplane(builder.Configuration);
        var app = builder.Build();
        app.MapHub<TestHub>("/hub");
        await app.StartAsync(Ct);
        return app;
    }

    private static async Task<HubConnection> ConnectAsync(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var connection = new HubConnectionBuilder().WithUrl(address + "/hub").Build();
        await connection.StartAsync(Ct);
        return connection;
    }
}
