namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// The <c>response.create</c> instructions that ask the model to say a given text word for word (an operator's "say").
/// One place writes and reads them, so the simulator, which cannot follow free-form instructions, can still say the
/// text: its reply then carries that text as its transcript instead of echoing the caller's last utterance.
/// </summary>
public static class VerbatimSpeech
{
    // The text goes last, after a blank line, so nothing in it (quotes included) can end the instruction early.
    private const string Preamble = "Say exactly the following text to the caller, word for word, and nothing else:\n\n";

    /// <summary>Instructions for a response that says <paramref name="text"/> and nothing else.</summary>
    public static string Instructions(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Preamble + text;
    }

    /// <summary>The text of instructions written by <see cref="Instructions"/>; false for any others.</summary>
    public static bool TryRead(string? instructions, out string text)
    {
        if (instructions is not null && instructions.StartsWith(Preamble, StringComparison.Ordinal) && instructions.Length > Preamble.Length)
        {
            text = instructions[Preamble.Length..];
            return true;
        }

        text = string.Empty;
        return false;
    }
}
