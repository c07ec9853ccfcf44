using System.Text;
using System.Text.Json;
using VoiceBridge.Server.Twilio;

namespace VoiceBridge.Server.Tests.Twilio;

public sealed class TwilioSignatureTests
{
    // Declared names, not read from the file: a missing fixture fails each case instead of the whole theory.
    public static TheoryData<string> VectorNames() => [.. TestFixtures.SignatureVectorNames];

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void EveryFixtureVector_IsAccepted(string name)
    {
        var (token, url, parameters, expected, rawBody) = Load(name);

        if (rawBody is null)
        {
            Assert.Equal(expected, TwilioSignature.Compute(token, url, parameters));
            Assert.True(TwilioSignature.IsValid(token, url, parameters, expected));
        }
        else
        {
            Assert.True(TwilioSignature.IsValidJsonBody(token, url, Encoding.UTF8.GetBytes(rawBody), expected));
        }
    }

    [Fact]
    public void Signature_IsAcceptedWithOrWithoutTheDefaultPort()
    {
        var (token, url, parameters, withoutPort, _) = Load("twilio-library-vector-form");
        var (_, urlWithPort, _, withPort, _) = Load("twilio-library-vector-form-with-explicit-443");

        // Twilio is inconsistent about ports: each signature must validate against either spelling of the URL.
        Assert.True(TwilioSignature.IsValid(token, urlWithPort, parameters, withoutPort));
        Assert.True(TwilioSignature.IsValid(token, url, parameters, withPort));
    }

    [Fact]
    public void Signature_IsRejected_WhenAnythingChanges()
    {
        var (token, url, parameters, expected, _) = Load("composed-voice-webhook");

        Assert.False(TwilioSignature.IsValid(token, url, parameters, null));
        Assert.False(TwilioSignature.IsValid(token, url, parameters, ""));
        Assert.False(TwilioSignature.IsValid("another-token", url, parameters, expected));
        Assert.False(TwilioSignature.IsValid(token, url + "?x=1", parameters, expected));
        Assert.False(TwilioSignature.IsValid(token, url.Replace("https", "http", StringComparison.Ordinal), parameters, expected));
        var tampered = parameters.Select(p => p.Key == "From" ? new KeyValuePair<string, string>("From", "+19999999999") : p).ToList();
        Assert.False(TwilioSignature.IsValid(token, url, tampered, expected));
        var extra = parameters.Append(new("Digits", "1")).ToList();
        Assert.False(TwilioSignature.IsValid(token, url, extra, expected));
    }

    [Fact]
    public void ParameterOrder_IsOrdinal_NotCultureAware()
    {
        // Ordinal puts upper-case before lower-case ("Zeta" < "alpha"); a culture-aware sort would not.
        var parameters = new[] { new KeyValuePair<string, string>("alpha", "1"), new("Zeta", "2") };
        var mac = TwilioSignature.Compute("t", "https://x.test/", parameters);
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(
            Encoding.UTF8.GetBytes("t"), Encoding.UTF8.GetBytes("https://x.test/Zeta2alpha1")));
        Assert.Equal(expected, mac);
    }

    [Fact]
    public void JsonBody_IsRejected_WhenTheBodyDoesNotMatchItsHash()
    {
        var (token, url, _, expected, rawBody) = Load("twilio-library-vector-json-body");

        Assert.False(TwilioSignature.IsValidJsonBody(token, url, Encoding.UTF8.GetBytes(rawBody! + " "), expected));
    }

    private static (string Token, string Url, List<KeyValuePair<string, string>> Parameters, string Expected, string? RawBody) Load(string name)
    {
        using var doc = TestFixtures.Json("twilio-signature-vectors.json");
        var vector = doc.RootElement.EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);
        var parameters = vector.GetProperty("params").EnumerateObject()
            .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        var rawBody = vector.TryGetProperty("rawBody", out var body) && body.ValueKind == JsonValueKind.String ? body.GetString() : null;
        return (vector.GetProperty("authToken").GetString()!, vector.GetProperty("url").GetString()!, parameters,
            vector.GetProperty("expectedSignature").GetString()!, rawBody);
    }
}
