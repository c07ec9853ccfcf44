using System.Text;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// The audit file format (version 1), shared by the writer, the sinks and <c>voicebridge audit verify</c>.
/// </summary>
/// <remarks>
/// A file is JSON lines, each ending in LF. Line 1 is the per-call header; every further line is a record.
/// Every line ends with <c>,"hash":"&lt;64 hex&gt;"}</c> where the hash is the SHA-256 of the line's exact bytes
/// before that suffix (from the opening brace up to the closing quote of <c>prev</c>). A record's <c>prev</c> is
/// the previous line's <c>hash</c> (record 1 chains to the header), so a changed byte anywhere breaks the line's
/// own hash and a removed or moved line breaks the sequence or the chain. The last record of a finished call is
/// <see cref="CloseType"/>.
/// </remarks>
public static class AuditFormat
{
    public const string FormatName = "voicebridge-audit";

    public const int Version = 1;

    /// <summary>Type of the record that closes a call; a file without it is incomplete (the call was interrupted).</summary>
    public const string CloseType = "audit.close";

    /// <summary>Header transport values the bridge writes.</summary>
    public const string TwilioTransport = "twilio";

    public const string BrowserTransport = "browser";

    /// <summary>SHA-256 in lower-case hex.</summary>
    public const int HashHexLength = 64;

    /// <summary><c>,"hash":"</c> + 64 hex + <c>"}</c>.</summary>
    public const int HashSuffixLength = 9 + HashHexLength + 2;

    internal static ReadOnlySpan<byte> HashSuffixStart => ",\"hash\":\""u8;

    internal static ReadOnlySpan<byte> HashSuffixEnd => "\"}"u8;

    /// <summary>The wire name of a direction (<c>caller_in</c>, <c>caller_out</c>, <c>upstream_in</c>, <c>upstream_out</c>, <c>bridge</c>).</summary>
    public static string Name(AuditDirection direction) => direction switch
    {
        AuditDirection.CallerIn => "caller_in",
        AuditDirection.CallerOut => "caller_out",
        AuditDirection.UpstreamIn => "upstream_in",
        AuditDirection.UpstreamOut => "upstream_out",
        _ => "bridge",
    };

    internal static void WriteHex(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        const string digits = "0123456789abcdef";
        for (var i = 0; i < bytes.Length; i++)
        {
            destination[2 * i] = (byte)digits[bytes[i] >> 4];
            destination[(2 * i) + 1] = (byte)digits[bytes[i] & 0xF];
        }
    }

    internal static string Hex(ReadOnlySpan<byte> bytes)
    {
        Span<byte> utf8 = stackalloc byte[bytes.Length * 2];
        WriteHex(bytes, utf8);
        return Encoding.ASCII.GetString(utf8);
    }
}
