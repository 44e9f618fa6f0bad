using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace JukeboxBridge.Model;

/// <summary>
/// glibc hands every block over 32 MB to mmap and returns it on free, so each large tensor libtorch
/// allocates is fresh memory the kernel must fault in and zero. Audio-length activations are exactly that
/// (64 channels x 10 s at 44.1 kHz = 113 MB), and on the 2-core CI machine this made the official VQ-VAE
/// decode of 10 s take ~10 s instead of ~2 s (benchmark `vqvae`). We keep such blocks in the heap instead
/// (M_MMAP_MAX = 0) and trim only above 1 GiB of free heap. Runs once when this assembly loads; no effect
/// off glibc. Set JUKEBOX_KEEP_MALLOC=1 to leave malloc alone.
/// </summary>
internal static class NativeMemory
{
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    public static bool Tuned { get; private set; }

#pragma warning disable CA2255 // deliberate: must run before libtorch allocates
    [ModuleInitializer]
    internal static void Tune()
#pragma warning restore CA2255
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("JUKEBOX_KEEP_MALLOC") == "1") return;
        try
        {
            Tuned = Mallopt(M_MMAP_MAX, 0) == 1 & Mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc (e.g. musl): nothing to tune
        }
    }
}
