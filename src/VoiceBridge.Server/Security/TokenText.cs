using System.Buffers.Text;

namespace VoiceBridge.Server.Security;

/// <summary>The text form shared by the signed tokens: base64url (RFC 4648 §5) without padding, safe in TwiML and headers.</summary>
internal static class TokenText
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>
    /// Decodes, or returns false for anything that is not base64url. (The BCL's <c>TryDecodeFromChars</c> only
    /// reports a short destination; invalid characters throw, hence the <c>IsValid</c> check first.)
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, out byte[] bytes)
    {
        if (!Base64Url.IsValid(text))
        {
            bytes = [];
            return false;
        }

        bytes = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (Base64Url.TryDecodeFromChars(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        bytes = [];
        return false;
    }
}
