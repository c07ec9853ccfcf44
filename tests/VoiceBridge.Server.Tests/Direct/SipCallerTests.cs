using VoiceBridge.Server.Direct;

namespace VoiceBridge.Server.Tests.Direct;

/// <summary>The caller's number from a SIP <c>From</c> header, as <c>GET /calls</c> shows it.</summary>
public sealed class SipCallerTests
{
    [Theory]
    [InlineData("\"Ada\" <sip:+15551230000@carrier.example>;tag=abc", "+15551230000")]
    [InlineData("<sips:+442071234567@trunk.example:5061>", "+442071234567")]
    [InlineData("sip:alice@example.com", "alice")]
    [InlineData("<tel:+15550001111>", "+15550001111")]
    [InlineData("Anonymous <sip:anonymous@anonymous.invalid>", "anonymous")]
    [InlineData("no uri here", null)]
    [InlineData("", null)]
    public void TheUserPartOfTheFromUri_IsTheCaller(string from, string? caller)
    {
        Assert.Equal(caller, SipCaller.FromHeaders([new SipHeader("From", from)]));
    }

    [Fact]
    public void NoFromHeader_NoCaller()
    {
        Assert.Null(SipCaller.FromHeaders([new SipHeader("To", "<sip:+15551230000@x>")]));
    }
}
