namespace VoiceBridge.Audio;

/// <summary>Argument checks shared by the span codecs; the throw lives out of line so the loops stay small.</summary>
internal static class G711Guard
{
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
