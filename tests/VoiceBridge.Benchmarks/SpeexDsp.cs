using System.Runtime.InteropServices;

namespace VoiceBridge.Benchmarks;

/// <summary>
/// P/Invoke surface of libspeexdsp's resampler (Debian package libspeexdsp1; include/speex/speex_resampler.h):
/// spx_uint32_t = uint, spx_int16_t = short, the state is an opaque pointer.
/// </summary>
internal static unsafe partial class SpeexDsp
{
    public const string Library = "libspeexdsp.so.1";

    /// <summary>SPEEX_RESAMPLER_QUALITY_VOIP.</summary>
    public const int QualityVoip = 3;

    /// <summary>SPEEX_RESAMPLER_QUALITY_DESKTOP.</summary>
    public const int QualityDesktop = 5;

    [LibraryImport(Library, EntryPoint = "speex_resampler_init")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial nint Init(uint channels, uint inputRate, uint outputRate, int quality, int* error);

    [LibraryImport(Library, EntryPoint = "speex_resampler_process_int")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int ProcessInt(nint state, uint channel, short* input, uint* inputLength, short* output, uint* outputLength);

    [LibraryImport(Library, EntryPoint = "speex_resampler_destroy")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial void Destroy(nint state);

    public static bool IsAvailable()
    {
        if (!NativeLibrary.TryLoad(Library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
