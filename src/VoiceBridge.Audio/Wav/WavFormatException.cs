namespace VoiceBridge.Audio;

/// <summary>A WAV file is malformed or uses a format this reader does not support; the message names the problem.</summary>
/// <remarks>
/// Derives from <see cref="IOException"/> because <see cref="InvalidDataException"/> is sealed; one
/// <c>catch (IOException)</c> covers both "cannot open the file" and "the file is not usable audio".
/// </remarks>
public sealed class WavFormatException : IOException
{
    public WavFormatException()
    {
    }

    public WavFormatException(string message)
        : base(message)
    {
    }

    public WavFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
