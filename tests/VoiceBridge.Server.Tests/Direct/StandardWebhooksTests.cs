using System.Text;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Realtime.Simulator.Calls;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>The Standard Webhooks check behind <c>/openai/webhook</c> (docs/protocols/openai-webhooks.md).</summary>
public sealed class StandardWebhooksTests
{
    // A vector in the scheme's published form, recomputed with Python's hmac (docs/protocols/openai-webhooks.md).
    private const string VectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string VectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long VectorTimestamp = 1614265330;
    private const string VectorBody = "{\"test\": 2432232314}";
    private const string VectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp));

    [Fact]
    public async Task TheKnownVector_IsValid_AndTheSimulatorSignsItTheSameWay()
    {
        var webhooks = New();

        Assert.Equal(VectorSignature, SimulatorWebhooks.Sign(VectorSecret, VectorId, VectorTimestamp, Encoding.UTF8.GetBytes(VectorBody)));
        Assert.Equal(WebhookCheckStatus.Valid, await CheckAsync(webhooks, VectorSignature));
    }

    [Fact]
    public async Task OneMatchingV1AmongSeveral_IsValid_OtherVersionsAreIgnored()
    {
        var signatures = "v1a,abc v1,bm90IGl0 " + VectorSignature + " v2,whatever";

        Assert.Equal(WebhookCheckStatus.Valid, await CheckAsync(New(), signatures));
    }

    [Theory]
    [InlineData("v1,h0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public async Task AnotherSignature_IsBad(string signature)
    {
        Assert.Equal(WebhookCheckStatus.BadSignature, await CheckAsync(New(), signature));
    }

    [Fact]
    public async Task AChangedBody_IsABadSignature()
    {
        var status = await New().CheckAsync(VectorId, VectorTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), VectorSignature,
            Encoding.UTF8.GetBytes("{\"test\": 2432232315}"), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookCheckStatus.BadSignature, status);
    }

    [Theory]
    [InlineData(-301, false)]
    [InlineData(-299, true)]
    [InlineData(299, true)]
    [InlineData(301, false)]
    public async Task TimestampsMoreThanFiveMinutesAway_AreStale(int skewSeconds, bool valid)
    {
        var expected = valid ? WebhookCheckStatus.Valid : WebhookCheckStatus.Stale;
        // The clock is elsewhere, not the signed timestamp: the signature stays the vector's.
        _time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(VectorTimestamp - skewSeconds));

        Assert.Equal(expected, await CheckAsync(New(), VectorSignature));
    }

    [Fact]
    public async Task AnId_IsAcceptedOnce()
    {
        var webhooks = New();

        Assert.Equal(WebhookCheckStatus.Valid, await CheckAsync(webhooks, VectorSignature));
        Assert.Equal(WebhookCheckStatus.Replayed, await CheckAsync(webhooks, VectorSignature));
    }

    [Fact]
    public async Task AForgedDelivery_DoesNotSpendTheRealOnesId()
    {
        var webhooks = New();

        Assert.Equal(WebhookCheckStatus.BadSignature, await CheckAsync(webhooks, "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
        Assert.Equal(WebhookCheckStatus.Valid, await CheckAsync(webhooks, VectorSignature));
    }

    [Theory]
    [InlineData(null, "1614265330")]
    [InlineData(VectorId, null)]
    [InlineData(VectorId, "soon")]
    [InlineData(VectorId, "-1")]
    public async Task MissingOrMalformedHeaders_AreRefused(string? id, string? timestamp)
    {
        var status = await New().CheckAsync(id, timestamp, VectorSignature, Encoding.UTF8.GetBytes(VectorBody), TestContext.Current.CancellationToken);

        Assert.Equal(WebhookCheckStatus.MissingHeaders, status);
    }

    [Fact]
    public async Task WithoutASecret_NothingIsValid()
    {
        var webhooks = new StandardWebhooks(null, new InMemoryReplayGuard(_time), _time);

        Assert.False(webhooks.IsConfigured);
        Assert.Equal(WebhookCheckStatus.NoSecret, await CheckAsync(webhooks, VectorSignature));
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", false)]
    [InlineData("whsec_not base64!", false)]
    [InlineData("whsec_c2hvcnQ=", false)]
    [InlineData(VectorSecret, true)]
    public void OnlyWhsecSecretsOfAtLeast16Bytes_AreKeys(string secret, bool valid)
    {
        Assert.Equal(valid, StandardWebhooks.TryReadKey(secret, out _));
    }

    private StandardWebhooks New() => new(VectorSecret, new InMemoryReplayGuard(_time), _time);

    private static async Task<WebhookCheckStatus> CheckAsync(StandardWebhooks webhooks, string signatures) =>
        await webhooks.CheckAsync(VectorId, VectorTimestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), signatures, Encoding.UTF8.GetBytes(VectorBody), TestContext.Current.CancellationToken);
}
