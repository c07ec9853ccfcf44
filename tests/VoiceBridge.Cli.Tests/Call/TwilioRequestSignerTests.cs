using VoiceBridge.Cli.Call;

namespace VoiceBridge.Cli.Tests.Call;

public sealed class TwilioRequestSignerTests
{
    // Declared names, not read from the file: a missing fixture fails each case instead of the whole theory.
    public static TheoryData<string> VectorNames() => [.. TestFixtures.SignatureVectorNames];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Sign_MatchesTwiliosSignatureForTheFixtureVector(string name)
    {
        using var doc = TestFixtures.Json("twilio-signature-vectors.json");
        var vector = doc.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        var parameters = vector.GetProperty("params").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();

        var signature = TwilioRequestSigner.Sign(vector.GetProperty("authToken").GetString()!, vector.GetProperty("url").GetString()!, parameters);

        Assert.Equal(vector.GetProperty("expectedSignature").GetString(), signature);
    }

    [Fact]
    public void Sign_OfTheFixtureWebhookRequest_IsItsRecordedHeader()
    {
        using var doc = TestFixtures.Json("twilio-voice-webhook-request.json");
        var root = doc.RootElement;
        // Parameters deliberately out of order: signing sorts them ordinally.
        var form = root.GetProperty("form").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).Reverse().ToList();

        var signature = TwilioRequestSigner.Sign(root.GetProperty("authTokenUsedForSignature").GetString()!, root.GetProperty("url").GetString()!, form);

        Assert.Equal(root.GetProperty("headers").GetProperty("X-Twilio-Signature").GetString(), signature);
    }
}
