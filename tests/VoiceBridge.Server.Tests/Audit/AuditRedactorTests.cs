using System.Buffers;
using System.Text;
using VoiceBridge.Server.Audit;

namespace VoiceBridge.Server.Tests.Audit;

public sealed class AuditRedactorTests
{
    [Theory]
    [InlineData("my card is 4111 1111 1111 1111 thanks", "my card is [REDACTED CARD] thanks")]
    [InlineData("card 4111-1111-1111-1111.", "card [REDACTED CARD].")]
    [InlineData("amex 378282246310005", "amex [REDACTED CARD]")]
    [InlineData("ssn 123-45-6789 ok", "ssn [REDACTED SSN] ok")]
    [InlineData("ssn 123 45 6789", "ssn [REDACTED SSN]")]
    [InlineData("social 123456789", "social [REDACTED SSN]")]
    public void RedactText_RemovesCardsAndSsns(string text, string expected) =>
        Assert.Equal(expected, AuditRedactor.RedactText(text));

    [Theory]
    [InlineData("card 4111.1111.1111.1111 ok", "card [REDACTED CARD] ok")]
    [InlineData("card 4111/1111/1111/1111 ok", "card [REDACTED CARD] ok")]
    [InlineData("card 4111  1111  1111  1111 ok", "card [REDACTED CARD] ok")]
    [InlineData("card 4111\u00a01111\u00a01111\u00a01111 ok", "card [REDACTED CARD] ok")]
    [InlineData("card \uff14\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11\uff11 ok", "card [REDACTED CARD] ok")]
    [InlineData("ssn 123.45.6789 ok", "ssn [REDACTED SSN] ok")]
    public void RedactJson_FindsCardsAndSsnsInEveryCommonSpelling(string escapedText, string expected)
    {
        // The text as a JSON string literal, escapes and all (what the wire carries).
        var redacted = Redact($$"""{"type":"response.output_text.done","text":"{{escapedText}}"}""", text: true, dtmf: false);

        Assert.Equal($$"""{"type":"response.output_text.done","text":"{{expected}}"}""", redacted);
    }

    [Fact]
    public void RedactJson_FindsACardWrittenAsJsonEscapes()
    {
        var escaped = string.Concat("4111111111111111".Select(c => $"\\u{(int)c:x4}"));

        var redacted = Redact($$"""{"type":"response.output_text.done","text":"card {{escaped}}"}""", text: true, dtmf: false);

        Assert.Equal("""{"type":"response.output_text.done","text":"card [REDACTED CARD]"}""", redacted);
    }

    [Fact]
    public void TurnRedactor_FindsACardSplitAcrossTwoDeltas()
    {
        var turn = new AuditTurnRedactor();

        var first = turn.Redact("my card is 4111 1111");
        var second = turn.Redact(" 1111 1111 thanks");

        Assert.DoesNotContain("1111", first + second, StringComparison.Ordinal);
        Assert.Contains(AuditRedactor.Card, first + second, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a card 4111 1111 1111 1112")] // fails the Luhn check
    [InlineData("order 1234567")] // too short for either
    [InlineData("never issued 000-12-3456 or 666-12-3456 or 912-34-5678")]
    [InlineData("call CAfe4111111111111111 item_123456789")] // digits inside ids stay
    [InlineData("phone +14155550100")]
    public void RedactText_LeavesWhatIsNotACardOrSsn(string text) =>
        Assert.Equal(text, AuditRedactor.RedactText(text));

    [Fact]
    public void RedactJson_RewritesStringValuesOnly_AndKeepsTheEventValidJson()
    {
        var json = """{"type":"conversation.item.input_audio_transcription.completed","item_id":"item_1","content_index":0,"transcript":"it's 4111 1111 1111 1111, SSN 123-45-6789"}""";

        var redacted = Redact(json, text: true, dtmf: false);

        Assert.Equal("""{"type":"conversation.item.input_audio_transcription.completed","item_id":"item_1","content_index":0,"transcript":"it's [REDACTED CARD], SSN [REDACTED SSN]"}""", redacted);
    }

    [Fact]
    public void RedactJson_WithDtmf_RemovesTheDigitAndTheKeyInTheModelText()
    {
        var dtmf = Redact("""{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"7"}}""", text: true, dtmf: true);
        var item = Redact("""{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"The caller pressed the phone key 7."}]}}""", text: true, dtmf: true);

        Assert.Contains("\"digit\":\"[REDACTED DTMF]\"", dtmf, StringComparison.Ordinal);
        Assert.Contains("\"sequenceNumber\":\"5\"", dtmf, StringComparison.Ordinal);
        Assert.Contains("pressed the phone key [REDACTED DTMF].", item, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactJson_AlwaysRemovesTheCallToken_EvenWithRedactionOff()
    {
        var start = Redact("""{"event":"start","start":{"callSid":"CA1","customParameters":{"callToken":"secret.token"}}}""", text: false, dtmf: false);

        Assert.Equal("""{"event":"start","start":{"callSid":"CA1","customParameters":{"callToken":"[REDACTED]"}}}""", start);
    }

    [Fact]
    public void RedactJson_NothingToRedact_WritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.False(AuditRedactor.TryRedactJson("""{"type":"response.done","response":{"id":"resp_1"}}"""u8, text: true, dtmf: true, output));
        Assert.Equal(0, output.WrittenCount);
    }

    private static string Redact(string json, bool text, bool dtmf)
    {
        var output = new ArrayBufferWriter<byte>();
        Assert.True(AuditRedactor.TryRedactJson(Encoding.UTF8.GetBytes(json), text, dtmf, output));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
