using JukeboxBridge.Model.Prior;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>In which order the windows of the three levels run.</summary>
public enum ScheduleKind
{
    /// <summary>The reference's order: all of level 2, then level 1, then level 0.</summary>
    LevelByLevel,
    /// <summary>
    /// Bottom codes as early as possible: whenever a lower level's next window has the codes it needs above it, run it
    /// before going on upstairs. Same codes as level-by-level when windows draw from per-window generators.
    /// </summary>
    Interleaved,
}

/// <summary>Runs every level's windows in the chosen order; <paramref name="afterWindow"/> sees each window as it completes (e.g. to stream level-0 blocks).</summary>
public static class Schedule
{
    public static void Run(ScheduleKind kind, IReadOnlyList<SimplePrior> priors, Tensor[] zs, long totalSamples,
                           Func<int, Tensor?> labels, Func<int, LevelSettings> settings, Action<WindowReport>? afterWindow = null,
                           Generator? generator = null, CancellationToken cancel = default)
    {
        int top = priors.Count - 1;
        var plans = new List<(long Start, long? SampleTokens)>?[priors.Count];
        var next = new int[priors.Count];
        List<(long Start, long? SampleTokens)> PlanOf(int l) =>
            plans[l] ??= LevelSampling.Plan(priors[l].Options, totalSamples / priors[l].Options.RawToTokens, zs[l].shape[1], settings(l).HopFraction);

        bool Ready(int l)
        {
            var plan = PlanOf(l);
            if (next[l] >= plan.Count) return false;
            if (l == top) return true;
            // The level above must have finished every window (its codes only grow) or reached what this window needs.
            bool aboveDone = next[l + 1] >= PlanOf(l + 1).Count;
            return aboveDone || zs[l + 1].shape[1] >= LevelSampling.UpperCodesNeeded(priors[l].Options, plan[next[l]].Start);
        }

        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            int level = -1;
            if (kind == ScheduleKind.LevelByLevel)
            {
                for (int l = top; l >= 0; l--) if (next[l] < PlanOf(l).Count) { level = l; break; }
            }
            else
            {
                for (int l = 0; l <= top; l++) if (Ready(l)) { level = l; break; }
            }
            if (level < 0) break;
            var window = PlanOf(level)[next[level]++];
            var report = LevelSampling.RunWindow(priors[level], zs, level, window, labels(level), settings(level), generator);
            afterWindow?.Invoke(report);
        }
    }
}
