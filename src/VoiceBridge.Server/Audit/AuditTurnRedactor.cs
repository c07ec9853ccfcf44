namespace VoiceBridge.Server.Audit;

/// <summary>
/// Redacts the text deltas of one stream (one transcript or one response text) as one text: a card read out across
/// two deltas ("4111 1111" then " 1111 1111") is found. A delta that ends in a digit run keeps the run back and hands
/// it to the next delta, so the stored deltas, joined, are the redacted turn (only where one delta ends and the next
/// begins moves). Not thread-safe: one per call recorder and event type, on the leg's loop.
/// </summary>
internal sealed class AuditTurnRedactor
{
    // The longest a card can be written: 19 digits with two separators between each.
    private const int MaxCarry = 19 + (18 * 2);

    private string _carry = "";

    /// <summary>The delta to store: redacted, without a trailing digit run (kept for the next delta).</summary>
    public string Redact(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var text = AuditRedactor.Normalize(_carry + delta);
        _carry = "";
        var start = text.Length;
        var digits = 0;
        while (start > 0 && text.Length - start < MaxCarry && text[start - 1] is (>= '0' and <= '9') or ' ' or '-' or '.' or '/')
        {
            start--;
            digits += char.IsAsciiDigit(text[start]) ? 1 : 0;
        }

        // Leading separators belong to the text before; a run with no digit is nothing to hold.
        while (start < text.Length && !char.IsAsciiDigit(text[start]))
        {
            start++;
        }

        if (digits > 0 && start < text.Length && (start == 0 || !char.IsLetterOrDigit(text[start - 1])))
        {
            _carry = text[start..];
            text = text[..start];
        }

        return AuditRedactor.RedactText(text);
    }

    /// <summary>The stream ended (its <c>.done</c> event carries the whole text, redacted on its own): forget the carry.</summary>
    public void Reset() => _carry = "";
}
