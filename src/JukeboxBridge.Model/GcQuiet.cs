using System.Runtime;

namespace JukeboxBridge.Model;

/// <summary>
/// A stretch of TorchSharp calls during which no garbage collection may start (GC.TryStartNoGCRegion).
/// TorchSharp 0.107 passes temporary Scalars (every <c>tensor * 2.0</c>, and the hidden <c>alpha = 1</c> of every
/// <c>a + b</c>) to native code by handle without keeping them alive; a collection on any thread in the middle of
/// such a call lets the finaliser thread free the Scalar while libtorch reads it ("Unknown scalar type", "Expected
/// false to be true", seen in CI in a single-threaded CLI run). Sampling steps, decoded blocks and training steps run
/// inside one of these: collections happen only between them, when no native call holds a temporary. If the step
/// allocates more than the budget, the runtime collects anyway (as before this guard), so the budget is generous.
/// </summary>
public readonly struct GcQuiet : IDisposable
{
    private readonly bool _started;

    private GcQuiet(bool started) => _started = started;

    /// <summary>Starts a no-GC stretch of up to <paramref name="budgetBytes"/> of managed allocation (nested calls are no-ops).</summary>
    public static GcQuiet Begin(long budgetBytes = 16L << 20)
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion || Disabled) return default;
        try { return new GcQuiet(GC.TryStartNoGCRegion(budgetBytes)); }
        catch (ArgumentOutOfRangeException) { return default; }                // budget larger than the runtime allows
        catch (InvalidOperationException) { return default; }                  // another thread's region is open
    }

    /// <summary>JUKEBOX_GC_QUIET=0 turns the guard off (to measure its cost).</summary>
    private static readonly bool Disabled = Environment.GetEnvironmentVariable("JUKEBOX_GC_QUIET") == "0";

    public void Dispose()
    {
        if (!_started || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try { GC.EndNoGCRegion(); }
        catch (InvalidOperationException) { }                                  // a collection happened (budget exceeded)
    }
}
