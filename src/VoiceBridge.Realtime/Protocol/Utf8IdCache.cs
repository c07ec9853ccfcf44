using System.Text;

namespace VoiceBridge.Realtime.Protocol;

/// <summary>
/// Turns a UTF-8 id (an item or response id read from a frame) into a string, allocating only when the id differs
/// from the previous one. Audio deltas repeat the same ids for a whole response, so this allocates once per
/// response, not per frame. Not thread-safe: one per reader.
/// </summary>
public sealed class Utf8IdCache
{
    private byte[] _utf8 = new byte[64];
    private int _length;
    private string? _value;

    /// <summary>The cached string for <paramref name="utf8"/>, created when it is new.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_value is not null && utf8.SequenceEqual(_utf8.AsSpan(0, _length)))
        {
            return _value;
        }

        if (utf8.Length > _utf8.Length)
        {
            _utf8 = new byte[utf8.Length];
        }

        utf8.CopyTo(_utf8);
        _length = utf8.Length;
        _value = Encoding.UTF8.GetString(utf8);
        return _value;
    }
}
