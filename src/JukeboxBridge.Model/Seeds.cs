namespace JukeboxBridge.Model;

/// <summary>
/// Derives seeds from (seed, indices) with a fixed integer mix. Never HashCode.Combine, which .NET randomises per
/// process: job folders and training checkpoints resume in other processes and must draw the same numbers.
/// </summary>
public static class Seeds
{
    public static ulong Mix(long seed, params long[] parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)seed;
        foreach (long p in parts)
        {
            h ^= (ulong)p + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
            h *= 0xBF58476D1CE4E5B9UL;
            h ^= h >> 31;
        }
        return h & 0x7FFFFFFFFFFFUL;
    }

    /// <summary>A non-negative int seed for System.Random.</summary>
    public static int MixInt(long seed, params long[] parts) => (int)(Mix(seed, parts) & 0x7FFFFFFF);
}
