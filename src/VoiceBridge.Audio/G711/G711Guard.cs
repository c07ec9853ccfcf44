using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VoiceBridge.Audio;

/// <summary>What the two span codecs share: argument checks (the throw lives out of line so the loops stay small) and the table decode.</summary>
internal static class G711Guard
{
    /// <summary>Decodes through a 256-entry table, the whole of G.711 decoding for either law.</summary>
    public static void DecodeWithTable(ReadOnlySpan<byte> encoded, Span<short> destination, short[] table, string paramName)
    {
        EnsureDestinationFits(encoded.Length, destination.Length, paramName);

        ref short first = ref MemoryMarshal.GetArrayDataReference(table);
        for (int i = 0; i < encoded.Length; i++)
        {
            destination[i] = Unsafe.Add(ref first, encoded[i]);
        }
    }

    public static void EnsureDestinationFits(int sourceLength, int destinationLength, string paramName)
    {
        if (destinationLength < sourceLength)
        {
            Throw(sourceLength, destinationLength, paramName);
        }
    }

    private static void Throw(int sourceLength, int destinationLength, string paramName) =>
        throw new ArgumentException(
            $"Destination holds {destinationLength} elements but the source has {sourceLength}.", paramName);
}
