using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;

namespace VoiceBridge.Server.Tests.Browser;

/// <summary>
/// A client token is opaque: the browser holding it cannot read the session the backend fixed (instructions, tools),
/// though the bridge still applies it; a token changed anywhere is refused.
/// </summary>
public sealed class ClientTokenOpacityTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private const string SecretInstructions = "TOKEN-ONLY-INSTRUCTIONS";
    private const string SecretTool = "secret_lookup_tool";
    private const string MintBody = "{\"session\":{\"type\":\"realtime\",\"instructions\":\"" + SecretInstructions + "\",\"tools\":[{\"type\":\"function\",\"name\":\""
        + SecretTool + "\",\"description\":\"x\",\"parameters\":{\"type\":\"object\"}}]}}";

    [Fact]
    public async Task Token_DecodedEveryWay_RevealsNoInstructionsOrToolNames_YetTheSessionIsApplied()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync(MintBody);

        foreach (var decoded in Decodings(token))
        {
            var text = Encoding.UTF8.GetString(decoded);
            var latin = Encoding.Latin1.GetString(decoded);
            Assert.DoesNotContain(SecretInstructions, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SecretTool, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(SecretTool, latin, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("instructions", latin, StringComparison.OrdinalIgnoreCase);
        }

        using var client = await app.ConnectAsync(token);
        await client.NextAsync("session.created");
        Assert.Contains(SecretInstructions, app.Upstream.Sent.First(), StringComparison.Ordinal);
        Assert.Contains(SecretTool, app.Upstream.Sent.First(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ChangedAtAnyPosition_IsRefused()
    {
        using var app = BrowserApp.Create(factory);
        var token = await app.MintAsync(MintBody);

        // One flip in the first characters, the middle and the last ones: covers header, body and tag of any layout.
        var positions = new[] { 3, 4, 5, 8, 12, 20, token.Length / 2, token.Length - 20, token.Length - 3, token.Length - 2 };
        foreach (var position in positions.Distinct())
        {
            var tampered = token[..position] + (token[position] == 'A' ? 'B' : 'A') + token[(position + 1)..];
            var error = await Assert.ThrowsAnyAsync<Exception>(() => app.ConnectAsync(tampered));
            Assert.Contains(((int)HttpStatusCode.Unauthorized).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(app.Upstream.Sent);
        using var client = await app.ConnectAsync(token);
        await client.NextAsync("session.created");
    }

    // Everything a curious holder could try: the token's text, each '.'/'_'/'-'-separated part and the whole body as
    // base64url and as standard base64, at every alignment (a plaintext run inside a longer blob shows up at one of three).
    private static IEnumerable<byte[]> Decodings(string token)
    {
        yield return Encoding.UTF8.GetBytes(token);
        var body = token.StartsWith("ek_", StringComparison.Ordinal) ? token[3..] : token;
        var parts = new[] { body }.Concat(body.Split('.', '_', '-')).Where(part => part.Length > 0).Distinct();
        foreach (var part in parts)
        {
            for (var skip = 0; skip < 4 && skip < part.Length; skip++)
            {
                var text = part[skip..].Replace('-', '+').Replace('_', '/');
                text = text[..(text.Length / 4 * 4)];
                var bytes = new byte[text.Length];
                if (Convert.TryFromBase64String(text, bytes, out var written))
                {
                    yield return bytes[..written];
                }
            }
        }
    }
}
