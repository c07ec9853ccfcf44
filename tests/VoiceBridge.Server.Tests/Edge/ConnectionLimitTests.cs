using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VoiceBridge.Server.Core;
using VoiceBridge.Server.Limits;

namespace VoiceBridge.Server.Tests.Edge;

/// <summary>Connections that send nothing, on real Kestrel: capped in number and closed after a short idle time.</summary>
public sealed class ConnectionLimitTests
{
    private const int Cap = 20;
    private const int Opened = 30;

    /// <summary>True when the server closed the connection (end of stream or reset) within <paramref name="limit"/>.</summary>
    private static async Task<bool> ClosedByServerWithinAsync(TcpClient tcp, TimeSpan limit)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            return await tcp.GetStream().ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    [Fact]
    public async Task SilentConnections_AreCappedAndClosedSoon_ThenTheServerAnswersAgain()
    {
        using var server = LoopbackKestrel.Start(
            ("Session:MaxConcurrentCalls", "5"),
            ("Session:Connections:MaxConnections", Cap.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Session:Connections:IdleTimeoutSeconds", "1"));
        var sockets = new List<TcpClient>();
        try
        {
            for (var i = 0; i < Opened; i++)
            {
                var tcp = new TcpClient();
                sockets.Add(tcp);
                await tcp.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
            }

            // Never a byte from us: each one is closed by the server, those over the cap at once, the rest when idle.
            var closed = await Task.WhenAll(sockets.Select(tcp => ClosedByServerWithinAsync(tcp, TimeSpan.FromSeconds(10))));
            Assert.All(closed, Assert.True);

            using var client = new HttpClient { BaseAddress = server.Address };
            using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            foreach (var tcp in sockets)
            {
                tcp.Dispose();
            }
        }
    }

    [Fact]
    public void Defaults_FollowMaxConcurrentCalls()
    {
        using var server = LoopbackKestrel.Start(("Session:MaxConcurrentCalls", "40"), ("Ops:Enabled", "false"));

        var limits = server.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(40, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(2 * 40 + 100, limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), limits.KeepAliveTimeout);
    }

    [Fact]
    public void DashboardViewers_ComeOnTopOfTheCallsShare()
    {
        using var server = LoopbackKestrel.Start(("Session:MaxConcurrentCalls", "40"), ("Ops:MaxViewers", "25"));

        var limits = server.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        // A full house of dashboard viewers never takes a call's socket, nor the other way round.
        Assert.Equal(40 + 25, limits.MaxConcurrentUpgradedConnections);
        Assert.Equal(2 * 40 + 100 + 25, limits.MaxConcurrentConnections);
    }

    [Theory]
    [InlineData("Session:Connections:MaxUpgradedConnections", "4", "Session:Connections:MaxUpgradedConnections")]
    [InlineData("Session:Connections:MaxConnections", "5", "Session:Connections:MaxConnections")]
    [InlineData("Session:Connections:IdleTimeoutSeconds", "0", "IdleTimeoutSeconds")]
    public async Task CapsThatDoNotFitTheCalls_StopTheBoot_NamingTheKey(string key, string value, string named)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection([new("Session:MaxConcurrentCalls", "5"), new(key, value)]);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var failure = await BootFailsAsync(builder, b =>
        {
            b.AddCallCore();
            b.AddLimits();
        });

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    /// <summary>Builds and starts the host; the boot must fail with an options error (during start, or at disposal).</summary>
    internal static async Task<OptionsValidationException> BootFailsAsync(WebApplicationBuilder builder, Action<WebApplicationBuilder> register)
    {
        try
        {
            register(builder);
            await using var app = builder.Build();
            await app.StartAsync(TestContext.Current.CancellationToken);
            await app.StopAsync(TestContext.Current.CancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            return ex;
        }

        throw new Xunit.Sdk.XunitException("the boot was expected to fail");
    }
}
