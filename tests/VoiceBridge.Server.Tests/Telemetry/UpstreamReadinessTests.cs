using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Telemetry;

namespace VoiceBridge.Server.Tests.Telemetry;

public sealed class UpstreamReadinessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readyz_FailsAfterThreeFailedConnects_AndRecoversOnSuccessOrAfterTheWindow()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            // A real provider's endpoint: nothing listens there, and readiness must not try it.
            host.UseSetting("Upstream:Endpoint", "ws://127.0.0.1:9/v1/realtime");
            host.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(time));
        });
        using var client = factory.CreateClient();
        var calls = factory.Services.GetRequiredService<CallTelemetryFactory>();

        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(client));
        await FailConnectsAsync(calls, 2);
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(client));
        await FailConnectsAsync(calls, 1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync(client));

        // 30 s after the last failure the instance takes calls again, so one of them re-tests the upstream.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(client));
        await FailConnectsAsync(calls, 1);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync(client));

        factory.Services.GetRequiredService<UpstreamHealth>().RecordSuccess();
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(client));
    }

    [Fact]
    public async Task Readyz_WithTheEmbeddedSimulator_IsReadyWhateverWasRecorded()
    {
        await using var factory = new WebApplicationFactory<Program>();
        using var client = factory.CreateClient();
        await FailConnectsAsync(factory.Services.GetRequiredService<CallTelemetryFactory>(), 5);

        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(client));
    }

    private static async Task FailConnectsAsync(CallTelemetryFactory calls, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var call = calls.Start("twilio");
            var result = await call.ConnectAsync(new FailingConnector(), Ct);
            Assert.False(result.IsConnected);
        }
    }

    private static async Task<HttpStatusCode> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), Ct);
        return response.StatusCode;
    }
}
