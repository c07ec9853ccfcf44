using System.Security.Cryptography;
using System.Text;

namespace VoiceBridge.Cli.Call;

/// <summary>
/// Signs requests the way Twilio does (docs/protocols/twilio-media-streams.md#request-signatures): the URL exactly as
/// requested, then each form parameter as name+value in ordinal order of names, HMAC-SHA1 keyed with the auth token,
/// base64. The Media Streams upgrade is signed over the <c>&lt;Stream url&gt;</c> as written with no parameters
/// (docs/protocols/twilio-media-streams.md#signing-the-media-streams-handshake).
/// </summary>
internal static class TwilioRequestSigner
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentNullException.ThrowIfNull(authToken);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(parameters);

        var data = new StringBuilder(url);
        // Ordinal, as Twilio's C# library sorts (StringComparer.Ordinal); a culture-aware sort signs differently.
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        // HMAC-SHA1 is Twilio's published algorithm, not our choice; HMAC does not rely on SHA-1's collision resistance.
#pragma warning disable CA5350
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
#pragma warning restore CA5350
        return Convert.ToBase64String(mac);
    }
}
