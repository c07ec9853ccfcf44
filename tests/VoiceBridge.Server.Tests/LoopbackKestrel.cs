using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace VoiceBridge.Server.Tests;

/// <summary>The real host on real Kestrel, listening on a free loopback port, for tests that need real sockets.</summary>
internal sealed class LoopbackKestrel : IDisposable
{
    private LoopbackKestrel(WebApplicationFactory<Program> factory, Uri address)
    {
        Factory = factory;
        Address = address;
    }

    public WebApplicationFactory<Program> Factory { get; }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri Address { get; }

    public int Port => Address.Port;

    public IServiceProvider Services => Factory.Services;

    public Uri WebSocketUri(string path) => new("ws://127.0.0.1:" + Port + path);

    public static LoopbackKestrel Start(params (string Key, string Value)[] settings)
    {
#pragma warning disable CA2000 // owned by the returned instance, which disposes it
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });
#pragma warning restore CA2000
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackKestrel(factory, new Uri(address));
    }

    public void Dispose() => Factory.Dispose();
}
