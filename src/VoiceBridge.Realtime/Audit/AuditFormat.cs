using System.Text;

namespace VoiceBridge.Realtime.Audit;

/// <summary>
/// The audit file format, shared by the writer, the sinks and <c>voicebridge audit verify</c>: version 1 (unsealed,
/// SHA-256) and version 2 (sealed, HMAC-SHA256 with <c>Audit:SigningKey</c>); docs/security-audit.md describes both.
/// </summary>
/// <remarks>
/// A file is JSON lines, each ending in LF. Line 1 is the per-call header; every further line is a record.
/// Every line ends with <c>,"hash":"&lt;64 hex&gt;"}</c> where the hash is the SHA-256 of the line's exact bytes
/// before that suffix (from the opening brace up to the closing quote of <c>prev</c>). A record's <c>prev</c> is
/// the previous line's <c>hash</c> (record 1 chains to the header), so a changed byte anywhere breaks the line's
/// own hash and a removed or moved line breaks the sequence or the chain. The last record of a finished call is
/// <see cref="CloseType"/>.
/// Version 2 is the same with two header fields, <c>"seal":"hmac-sha256"</c> and <c>"kid"</c> (the
/// <see cref="AuditSigningKey.Id"/>), and every line's <c>hash</c> is HMAC-SHA256 under that key instead of SHA-256:
/// without the key, a line cannot be rewritten so that it verifies.
/// </remarks>
public static class AuditFormat
{
    public const string FormatName = "voicebridge-audit";

    /// <summary>Unsealed trails (no <c>Audit:SigningKey</c>): a plain SHA-256 chain, which anyone can recompute.</summary>
    public const int Version = 1;

    /// <summary>Sealed trails: the chain is HMAC-SHA256 under a key that is not in the files.</summary>
    public const int SealedVersion = 2;

    /// <summary>The header's <c>seal</c> value in version 2.</summary>
    public const string SealAlgorithm = "hmac-sha256";

    /// <summary>Header transport of an index file (the calls a process wrote, with their final hashes).</summary>
    public const string IndexTransport = "index";

    /// <summary>Sub-directory of the audit directory that holds the index files.</summary>
    public const string IndexDirectory = "index";

    /// <summary>Extension of index files (not <c>.jsonl</c>, so a scan for trails never mistakes one for a call).</summary>
    public const string IndexExtension = ".index";

    /// <summary>Index record: a call's trail file was created (<c>call_id</c>, <c>file</c>).</summary>
    public const string IndexOpenType = "index.open";

    /// <summary>Index record: a call's close record is durable (<c>call_id</c>, <c>file</c>, <c>records</c>, <c>hash</c>).</summary>
    public const string IndexCloseType = "index.close";

    /// <summary>Index record: the process stopped with the call still open; what was durable (<c>records</c>, <c>hash</c>).</summary>
    public const string IndexInterruptedType = "index.interrupted";

    private const int MaxStemLength = 100;

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

    /// <summary>
    /// The file name (without <c>.jsonl</c>) of a call's trail: call ids come from the network (CallSid, session id), so
    /// only letters, digits, '-' and '_' reach the name; a second trail of the same id in a day is <c>stem.2</c>.
    /// </summary>
    public static string FileStem(string callId)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var name = new StringBuilder(Math.Min(callId.Length, MaxStemLength));
        foreach (var c in callId.AsSpan(0, Math.Min(callId.Length, MaxStemLength)))
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return name.Length == 0 ? "_" : name.ToString();
    }

    /// <summary>Whether a trail's file name (without extension) is the one the sink gives <paramref name="callId"/>.</summary>
    public static bool IsFileOf(string fileStem, string callId)
    {
        ArgumentNullException.ThrowIfNull(fileStem);
        var stem = FileStem(callId);
        if (fileStem == stem)
        {
            return true;
        }

        return fileStem.Length > stem.Length + 1 && fileStem.StartsWith(stem + ".", StringComparison.Ordinal)
            && int.TryParse(fileStem.AsSpan(stem.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 2;
    }

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
