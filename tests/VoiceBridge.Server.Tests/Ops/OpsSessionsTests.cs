using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Server.Audit;
using VoiceBridge.Server.Calls;
using VoiceBridge.Server.Ops;

namespace VoiceBridge.Server.Tests.Ops;

/// <summary>The dashboard's session cookie: what it proves, for how long, and what no longer passes.</summary>
public sealed class OpsSessionsTests
{
    private const string Operator = "operator-key-0123456789abcdef0123456789";
    private const string Viewer = "viewer-key-0123456789abcdef0123456789ab";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-05T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void AnOperatorKey_OpensAnOperatorSession_ThatItsCookieProvesUntilItExpires()
    {
        var sessions = Sessions(out _);
        var session = sessions.Open(Operator)!;
        var token = OpsSessions.Token(session, Operator);

        Assert.Equal(OpsRole.Operator, session.Role);
        Assert.Equal(AdminKeyId.Of(Operator), session.KeyId);
        Assert.DoesNotContain(Operator, token, StringComparison.Ordinal);
        Assert.Equal(session, sessions.Validate(token));
        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.NotNull(sessions.Validate(token));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Validate(token));
    }

    [Fact]
    public void AViewerKey_OpensAViewerSession_WhichCannotBeTurnedIntoAnOperatorOne()
    {
        var sessions = Sessions(out _);
        var session = sessions.Open(Viewer)!;
        var token = OpsSessions.Token(session, Viewer);

        Assert.Equal(OpsRole.Viewer, session.Role);
        Assert.Equal(OpsRole.Viewer, sessions.Validate(token)!.Role);
        Assert.Null(sessions.Validate("1.o" + token[3..]));
        Assert.Null(sessions.Validate(token.Replace(".1", ".9", StringComparison.Ordinal)));
        Assert.Null(sessions.Validate(token[..^2]));
        Assert.Null(sessions.Open("not-a-key-0123456789abcdef0123456789"));
        Assert.Null(sessions.Validate(null));
        Assert.Null(sessions.Validate("garbage"));
    }

    [Fact]
    public void TakingAKeyOutOfTheConfiguration_EndsItsSessions()
    {
        var sessions = Sessions(out var audit);
        var token = OpsSessions.Token(sessions.Open(Operator)!, Operator);

        audit.AdminKeys.Clear();

        Assert.Null(sessions.Validate(token));
    }

    [Theory]
    [InlineData("+14155550100", "+141••••••00")]
    [InlineData("+442071838750", "+442•••••••50")]
    [InlineData("client:alice", "clie••••••ce")]
    [InlineData("12345", "••••5")]
    [InlineData(null, null)]
    public void TheCaller_IsShownPartlyMasked(string? caller, string? shown) => Assert.Equal(shown, CallerMask.Mask(caller));

    [Fact]
    public void ViewerKeys_FollowTheAdminKeysRule_AndAreNeverAlsoAdminKeys()
    {
        var options = new AuditOptions();
        options.AdminKeys.Add(Operator);
        options.ViewerKeys.Add("short");
        options.ViewerKeys.Add(Operator);

        var result = new AdminKeysValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Audit:ViewerKeys:0 is 5 characters", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Audit:ViewerKeys:1 is also an admin key", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains(Operator, StringComparison.Ordinal));
    }

    [Fact]
    public void TheHistogram_ReadsPercentilesWithinItsBucketWidth()
    {
        var histogram = new OpsHistogram();
        for (var ms = 1; ms <= 1000; ms++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(ms));
        }

        var totals = new long[OpsHistogram.BucketCount];
        histogram.AddTo(totals);

        Assert.InRange(OpsHistogram.Percentile(totals, 0.50)!.Value, 500 * 0.91, 500 * 1.09);
        Assert.InRange(OpsHistogram.Percentile(totals, 0.99)!.Value, 990 * 0.91, 990 * 1.09);
        Assert.Null(OpsHistogram.Percentile(new long[OpsHistogram.BucketCount], 0.99));
    }

    private OpsSessions Sessions(out AuditOptions audit)
    {
        audit = new AuditOptions();
        audit.AdminKeys.Add(Operator);
        audit.ViewerKeys.Add(Viewer);
        return new OpsSessions(Options.Create(audit), Options.Create(new OpsOptions()), _time);
    }
}
