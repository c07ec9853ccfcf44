using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace VoiceBridge.Server.Tests.Limits;

/// <summary>Kestrel's limits against slow and oversized clients, on a real loopback socket.</summary>
public sealed class KestrelLimitsTests
{
    private static (WebApplicationFactory<Program> App, Uri Address) StartKestrel(params (string Key, string Value)[] settings)
    {
#pragma warning disable CA2000 // returned to the caller, which disposes it
        var app = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });
#pragma warning restore CA2000
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    private static async Task<string> ReadAllAsync(NetworkStream stream)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndConfigurationOverridesThem()
    {
        var (app, _) = StartKestrel(("Kestrel:Limits:MaxRequestBodySize", "2048"));
        using (app)
        {
            var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

            Assert.Equal(2048, limits.MaxRequestBodySize);
            Assert.Equal(TimeSpan.FromSeconds(10), limits.RequestHeadersTimeout);
            Assert.Equal(64, limits.MaxRequestHeaderCount);
            Assert.Equal(32 * 1024, limits.MaxRequestHeadersTotalSize);
            Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        }
    }

    [Fact]
    public async Task ASlowlorisThatNeverFinishesItsHeaders_IsCutOff()
    {
        var (app, address) = StartKestrel(("Kestrel:Limits:RequestHeadersTimeout", "00:00:01"));
        using (app)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, address.Port, TestContext.Current.CancellationToken);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: "), TestContext.Current.CancellationToken);

            // Kestrel answers 408 and closes the connection; the read ends instead of waiting forever.
            var answer = await ReadAllAsync(stream);

            Assert.StartsWith("HTTP/1.1 408", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task OversizedHeaders_Get431()
    {
        var (app, address) = StartKestrel();
        using (app)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, address.Port, TestContext.Current.CancellationToken);
            var stream = tcp.GetStream();
            var request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + new string('a', 40 * 1024) + "\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), TestContext.Current.CancellationToken);

            var answer = await ReadAllAsync(stream);

            Assert.StartsWith("HTTP/1.1 431", answer, StringComparison.Ordinal);
        }
    }
}
