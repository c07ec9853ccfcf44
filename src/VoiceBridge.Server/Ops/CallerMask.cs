namespace VoiceBridge.Server.Ops;

/// <summary>
/// The caller as the dashboard shows it: enough to tell two calls apart and to recognise a country and area, never the
/// whole number — everyone with a viewer key sees the page.
/// </summary>
internal static class CallerMask
{
    public const char Hidden = '•';

    /// <summary><c>+14155550100</c> → <c>+141••••••00</c>: the first four characters and the last two; shorter values keep less.</summary>
    public static string? Mask(string? caller)
    {
        if (string.IsNullOrEmpty(caller))
        {
            return null;
        }

        var (head, tail) = caller.Length >= 8 ? (4, 2) : (0, caller.Length / 3);
        return string.Create(caller.Length, (caller, head, tail), static (chars, state) =>
        {
            var (text, head, tail) = state;
            for (var i = 0; i < text.Length; i++)
            {
                chars[i] = i < head || i >= text.Length - tail ? text[i] : Hidden;
            }
        });
    }
}
