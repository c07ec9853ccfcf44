using System.Buffers;

namespace VoiceBridge.Server.Sessions;

/// <summary>
/// A caller leg's receive buffer. It starts small and doubles, up to the leg's cap, only when one message needs it:
/// a Twilio media message is about 350 bytes, so renting the 64 KiB cap for every call held 64 KiB of resident
/// memory per call for nothing (measured with the load tool; with hundreds of calls the pool has none to share).
/// Owned by the session, returned when the call ends.
/// </summary>
internal sealed class ReceiveBuffer : IDisposable
{
    /// <summary>Enough for any Twilio message but an oversized one, and for most browser control events.</summary>
    public const int InitialBytes = 4 * 1024;

    public ReceiveBuffer(int initialBytes = InitialBytes) => Array = ArrayPool<byte>.Shared.Rent(initialBytes);

    /// <summary>The current array; it changes when the buffer grows, so read it after each receive.</summary>
    public byte[] Array { get; private set; }

    /// <summary>Replaces the array by one at least twice as long (at most <paramref name="cap"/>), keeping the first <paramref name="keep"/> bytes.</summary>
    public void Grow(int keep, int cap)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(cap, Array.Length * 2));
        Array.AsSpan(0, keep).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(Array);
        Array = bigger;
    }

    public void Dispose()
    {
        if (Array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(Array);
            Array = [];
        }
    }
}
