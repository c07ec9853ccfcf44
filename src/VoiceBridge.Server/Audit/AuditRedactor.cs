using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace VoiceBridge.Server.Audit;

/// <summary>
/// Redacts what a compliance review must not find in a trail or transcript (<c>Audit:Redact</c>, <c>Audit:RedactDtmf</c>):
/// payment card numbers (13–19 digits, Luhn-valid), US social security numbers (3-2-4 digits, or 9 in a row, with the
/// SSA's never-issued ranges excluded), and optionally DTMF digits. Applied to the decoded value of every string of an
/// event (JSON escapes undone) before it is queued, so nothing redacted ever reaches the disk. Digits are matched in any
/// Unicode script (fullwidth "４１…" counts) and may be separated by a space, two spaces, a no-break space, '-', '.' or '/'.
/// A text whose digits were normalised is stored normalised. The call token of Twilio's <c>start</c> (a credential) is
/// always removed. Deltas of one turn are redacted together by <see cref="AuditTurnRedactor"/>.
/// </summary>
internal static partial class AuditRedactor
{
    public const string Card = "[REDACTED CARD]";
    public const string Ssn = "[REDACTED SSN]";
    public const string Dtmf = "[REDACTED DTMF]";
    public const string Secret = "[REDACTED]";

    // A digit run not glued to a word: ids such as "CAfe12345678901234" or "item_123456789" are never touched.
    // Matched on the normalised text (ASCII digits, no-break spaces as spaces).
    [GeneratedRegex(@"(?<![\p{L}\p{N}_-])[0-9](?:(?:[ ./-]| {2})?[0-9]){12,18}(?![\p{L}\p{N}_-])", RegexOptions.CultureInvariant)]
    private static partial Regex CardCandidate();

    [GeneratedRegex(@"(?<![\p{L}\p{N}_-])([0-9]{3})([-. ]?)([0-9]{2})\2([0-9]{4})(?![\p{L}\p{N}_-])", RegexOptions.CultureInvariant)]
    private static partial Regex SsnCandidate();

    // The text the phone session gives the model for a key press ("The caller pressed the phone key 5.").
    [GeneratedRegex(@"(?<=phone key )[0-9*#A-Da-d]", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneKey();

    /// <summary>The text with card numbers and SSNs replaced (the same instance when there is none).</summary>
    public static string RedactText(string text, bool dtmf = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = Normalize(text);
        if (!HasLongDigitRun(text.AsSpan()) && !(dtmf && text.Contains("phone key", StringComparison.Ordinal)))
        {
            return text;
        }

        var redacted = CardCandidate().Replace(text, match => IsCard(match.ValueSpan) ? Card : match.Value);
        redacted = SsnCandidate().Replace(redacted, match => IsSsn(match) ? Ssn : match.Value);
        return dtmf ? PhoneKey().Replace(redacted, Dtmf) : redacted;
    }

    /// <summary>
    /// A byte scan: whether <paramref name="json"/> may hold something to redact. False for nearly every event (marks,
    /// ids, audio metadata), so the per-frame path allocates nothing.
    /// </summary>
    public static bool NeedsRedaction(ReadOnlySpan<byte> json, bool text, bool dtmf) =>
        (text && (HasLongDigitRun(json) || json.IndexOf("\\u"u8) >= 0 || json.IndexOf(FullwidthFormsPrefix) >= 0))
            || json.IndexOf("\"callToken\""u8) >= 0
            || (dtmf && (json.IndexOf("\"digit\""u8) >= 0 || json.IndexOf("phone key"u8) >= 0));

    /// <summary>
    /// Writes <paramref name="json"/> with every string value redacted to <paramref name="output"/> and returns true, or
    /// returns false (nothing written) when there is nothing to redact — the common case, decided by a byte scan.
    /// </summary>
    /// <remarks>With <paramref name="turn"/>, the event is a text delta: its <c>delta</c> is redacted with the turn's earlier deltas.</remarks>
    public static bool TryRedactJson(ReadOnlySpan<byte> json, bool text, bool dtmf, IBufferWriter<byte> output, AuditTurnRedactor? turn = null)
    {
        if (turn is null && !NeedsRedaction(json, text, dtmf))
        {
            return false;
        }

        var isDelta = false;

        try
        {
            var reader = new Utf8JsonReader(json);
            // Relaxed escaping: the trail is JSON lines read by tools, not HTML; text stays readable ("it's", "é").
            using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            string? replacement = null;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = reader.GetString()!;
                        replacement = name == "callToken" ? Secret : dtmf && name == "digit" ? Dtmf : null;
                        isDelta = turn is not null && reader.CurrentDepth == 1 && name == "delta";
                        writer.WritePropertyName(name);
                        break;
                    case JsonTokenType.String:
                        writer.WriteStringValue(replacement ?? (isDelta ? turn!.Redact(reader.GetString()!) : text ? RedactText(reader.GetString()!, dtmf) : reader.GetString()));
                        replacement = null;
                        isDelta = false;
                        break;
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.Number:
                        writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        replacement = null;
                        break;
                    case JsonTokenType.True or JsonTokenType.False:
                        writer.WriteBooleanValue(reader.GetBoolean());
                        replacement = null;
                        break;
                    case JsonTokenType.Null:
                        writer.WriteNullValue();
                        replacement = null;
                        break;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            // Not JSON: the trail keeps it as unparsed bytes; a digit run in it is redacted as text.
            var raw = Encoding.UTF8.GetString(json);
            output.Write(Encoding.UTF8.GetBytes(text ? RedactText(raw, dtmf) : raw));
            return true;
        }
    }

    // UTF-8 lead bytes of U+FF00–U+FF3F, where the fullwidth digits U+FF10–U+FF19 live: escapes and fullwidth digits
    // cannot be seen by the byte scan, so such events are decoded and scanned as text.
    private static ReadOnlySpan<byte> FullwidthFormsPrefix => [0xEF, 0xBC];

    /// <summary>Unicode decimal digits to ASCII, no-break spaces to spaces; the same length, so positions are kept.</summary>
    internal static string Normalize(string text)
    {
        var index = text.AsSpan().IndexOfAnyExceptInRange((char)0, (char)0x7F);
        if (index < 0)
        {
            return text;
        }

        return string.Create(text.Length, text, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                chars[i] = c < 0x80 ? c
                    : c is '\u00A0' or '\u2007' or '\u202F' ? ' '
                    : char.IsDigit(c) ? (char)('0' + System.Globalization.CharUnicodeInfo.GetDecimalDigitValue(c))
                    : c;
            }
        });
    }

    /// <summary>Nine or more digits with at most two separators (space, '-', '.', '/', no-break space) between each.</summary>
    internal static bool HasLongDigitRun(ReadOnlySpan<byte> utf8)
    {
        var run = 0;
        var gap = 0;
        foreach (var b in utf8)
        {
            if (Step(b, ref run, ref gap))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasLongDigitRun(ReadOnlySpan<char> text)
    {
        var run = 0;
        var gap = 0;
        foreach (var c in text)
        {
            if (Step(c < 128 ? (byte)c : (byte)0, ref run, ref gap))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Step(byte b, ref int run, ref int gap)
    {
        if (b is >= (byte)'0' and <= (byte)'9')
        {
            run++;
            gap = 0;
            return run >= 9;
        }

        // Up to two separator bytes between digits (two spaces, or the two UTF-8 bytes of a no-break space).
        if (run > 0 && gap < 2 && b is (byte)' ' or (byte)'-' or (byte)'.' or (byte)'/' or 0xC2 or 0xA0)
        {
            gap++;
        }
        else
        {
            run = 0;
            gap = 0;
        }

        return false;
    }

    internal static bool IsCard(ReadOnlySpan<char> candidate)
    {
        Span<int> digits = stackalloc int[19];
        var count = 0;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c - '0';
            }
        }

        if (count < 13)
        {
            return false;
        }

        // Luhn: double every second digit from the right.
        var sum = 0;
        for (var i = 0; i < count; i++)
        {
            var d = digits[count - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    // The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000.
    private static bool IsSsn(Match match)
    {
        var area = match.Groups[1].ValueSpan;
        return area is not "000" and not "666" && area[0] != '9'
            && match.Groups[3].ValueSpan is not "00" && match.Groups[4].ValueSpan is not "0000";
    }
}
