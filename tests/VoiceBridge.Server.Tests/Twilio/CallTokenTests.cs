using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Security;

namespace VoiceBridge.Server.Tests.Twilio;

public sealed class CallTokenTests
{
    private const string CallSid = "CAfedcba9876543210fedcba9876543210";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    private CallTokens Create(string authToken = "secret-token") =>
        new(authToken, TimeSpan.FromSeconds(60), _time);

    [Fact]
    public async Task FreshToken_IsValidOnce_ForItsCall_AndCarriesTheCaller()
    {
        var tokens = Create();
        var token = tokens.Mint(CallSid, "+14155550100");

        var first = await tokens.CheckAsync(token, CallSid, TestContext.Current.CancellationToken);
        var second = await tokens.CheckAsync(token, CallSid, TestContext.Current.CancellationToken);

        Assert.Equal(CallTokenStatus.Valid, first.Status);
        Assert.Equal("+14155550100", first.Caller);
        Assert.Equal(CallTokenStatus.Replayed, second.Status);
    }

    [Fact]
    public async Task Token_ForAnotherCall_IsRejected()
    {
        var tokens = Create();
        var token = tokens.Mint(CallSid, null);

        Assert.Equal(CallTokenStatus.WrongCall, (await tokens.CheckAsync(token, "CA00000000000000000000000000000000", TestContext.Current.CancellationToken)).Status);
        // A rejected attempt does not burn the token for its rightful call.
        Assert.Equal(CallTokenStatus.Valid, (await tokens.CheckAsync(token, CallSid, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Token_Expires_AfterItsLifetime()
    {
        var tokens = Create();
        var token = tokens.Mint(CallSid, null);

        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(CallTokenStatus.Expired, (await tokens.CheckAsync(token, CallSid, TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    public async Task Token_IsCheckableByAnotherInstanceWithTheSameSecret_ButNotAnotherSecret()
    {
        var token = Create().Mint(CallSid, null);

        Assert.Equal(CallTokenStatus.Valid, (await Create().CheckAsync(token, CallSid, TestContext.Current.CancellationToken)).Status);
        Assert.Equal(CallTokenStatus.BadSignature, (await Create("other-token").CheckAsync(token, CallSid, TestContext.Current.CancellationToken)).Status);
    }

    [Theory]
    [InlineData(null, nameof(CallTokenStatus.Missing))]
    [InlineData("", nameof(CallTokenStatus.Missing))]
    [InlineData("no-dot-here", nameof(CallTokenStatus.Malformed))]
    [InlineData("!!!.###", nameof(CallTokenStatus.Malformed))]
    [InlineData("dGVzdA.dGVzdA", nameof(CallTokenStatus.BadSignature))]
    public async Task Garbage_IsRejectedWithItsReason(string? token, string expected)
    {
        Assert.Equal(expected, (await Create().CheckAsync(token, CallSid, TestContext.Current.CancellationToken)).Status.ToString());
    }

    [Fact]
    public async Task TamperedPayload_IsRejected()
    {
        var tokens = Create();
        var token = tokens.Mint(CallSid, null);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var tampered = (token[0] == 'A' ? "B" : "A") + token[1..dot] + token[dot..];

        Assert.NotEqual(CallTokenStatus.Valid, (await tokens.CheckAsync(tampered, CallSid, TestContext.Current.CancellationToken)).Status);
    }
}
