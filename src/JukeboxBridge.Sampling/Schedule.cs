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

/// <summary>Runs every level's windows in the chosen order.</summary>
public static class Schedule
{
    /// <summary>
    /// Every level's window plan, made from the codes present now; levels outside [lowest, highest] get none (kept as
    /// they are). Planning up front gives the plans the reference
    /// makes level after level: a level's codes do not change while the levels above it run.
    /// </summary>
    public static List<(long Start, long? SampleTokens)>[] PlanAll(IReadOnlyList<SimplePrior> priors, Tensor[] zs, long totalSamples,
                                                                    Func<int, LevelSettings> settings, int highestLevel = int.MaxValue, int lowestLevel = 0) =>
        priors.Select((p, l) => l > highestLevel || l < lowestLevel ? new List<(long, long?)>()
            : LevelSampling.Plan(p.Options, totalSamples / p.Options.RawToTokens, zs[l].shape[1], settings(l).HopFraction, settings(l).ReferencePartialWindow)).ToArray();

    /// <summary>Plans every level (see <see cref="PlanAll"/>) and runs all windows.</summary>
    public static void Run(ScheduleKind kind, IReadOnlyList<SimplePrior> priors, Tensor[] zs, long totalSamples,
                           Func<int, Tensor?> labels, Func<int, LevelSettings> settings, Action<WindowReport>? afterWindow = null,
                           Generator? generator = null, CancellationToken cancel = default) =>
        Run(kind, priors, zs, PlanAll(priors, zs, totalSamples, settings), new int[priors.Count], labels, settings, afterWindow, null, generator, cancel);

    /// <summary>
    /// Runs the planned windows not yet done (<paramref name="done"/>[level] counts them and is advanced as windows
    /// finish). <paramref name="beforeWindow"/> sees the level about to run (e.g. to move it to the device);
    /// <paramref name="afterWindow"/> sees each window as it completes (e.g. to save codes and stream level-0 blocks).
    /// </summary>
    public static void Run(ScheduleKind kind, IReadOnlyList<SimplePrior> priors, Tensor[] zs, IReadOnlyList<List<(long Start, long? SampleTokens)>> plans,
                           int[] done, Func<int, Tensor?> labels, Func<int, LevelSettings> settings, Action<WindowReport>? afterWindow,
                           Action<int>? beforeWindow = null, Generator? generator = null, CancellationToken cancel = default)
    {
        int top = priors.Count - 1;
        bool Ready(int l)
        {
            if (done[l] >= plans[l].Count) return false;
            if (l == top) return true;
            // The level above must have finished every window (its codes only grow) or reached what this window needs.
            return done[l + 1] >= plans[l + 1].Count || zs[l + 1].shape[1] >= LevelSampling.UpperCodesNeeded(priors[l].Options, plans[l][done[l]].Start);
        }

        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            int level = -1;
            if (kind == ScheduleKind.LevelByLevel)
            {
                for (int l = top; l >= 0; l--) if (done[l] < plans[l].Count) { level = l; break; }
            }
            else
            {
                for (int l = 0; l <= top; l++) if (Ready(l)) { level = l; break; }
            }
            if (level < 0) break;
            beforeWindow?.Invoke(level);
            var report = LevelSampling.RunWindow(priors[level], zs, level, plans[level][done[level]], labels(level), settings(level), generator);
            done[level]++;
            afterWindow?.Invoke(report);
        }
    }
}
