using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.Model.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>How one level is sampled: the prior's token options, the window hop, batching, and the lyrics behind its labels.</summary>
public sealed record LevelSettings(SamplingOptions Tokens, double HopFraction, int MaxBatchSize = 16)
{
    /// <summary>
    /// When set, each window draws from its own generator seeded from (seed, level, window start), so windows give the
    /// same codes whatever order they run in (level after level, or interleaved for streaming).
    /// </summary>
    public int? WindowSeed { get; init; }

    /// <summary>Full lyric token list per item (lyrics priors): the window's lyric tokens are re-chosen from it.</summary>
    public IReadOnlyList<long[]>? FullLyricTokens { get; init; }

    /// <summary>
    /// Reproduce the reference's partial-window overshoot (a level shorter than one window gains its whole length
    /// again after the codes already there). Off by default: the partial window then stops at the level's length.
    /// </summary>
    public bool ReferencePartialWindow { get; init; }
}

/// <summary>One window the sampler ran: where, and how many codes it added.</summary>
public sealed record WindowReport(int Level, long Start, long End, long TokensBefore, long TokensAfter, long NewTokens);

/// <summary>
/// Windowed sampling of one level exactly as the reference's sample_level: window starts every hop codes (the last
/// pulled back to end at the level's length), or one partial window when the level is shorter than a window; each
/// window re-reads the codes already there as its prime, conditions on the level above and on labels moved to the
/// window (offset, length, lyric window), and appends what it adds.
/// </summary>
public static class LevelSampling
{
    /// <summary>0, hop, 2·hop, … below total − n_ctx + hop; a window reaching past the end starts at total − n_ctx.</summary>
    public static IEnumerable<long> Starts(long total, long nCtx, long hop)
    {
        for (long start = 0; start < total - nCtx + hop; start += hop)
            yield return start + nCtx >= total ? total - nCtx : start;
    }

    /// <summary>
    /// Samples level <paramref name="level"/> up to <paramref name="totalLength"/> codes. <paramref name="zs"/> holds
    /// every level's codes (N, tokens so far) and is updated in place; <paramref name="baseLabels"/> (N, label length)
    /// are the song's label rows for this prior. Returns the windows run, in order.
    /// </summary>
    public static List<WindowReport> SampleLevel(SimplePrior prior, Tensor[] zs, int level, long totalLength, Tensor? baseLabels,
                                                 LevelSettings settings, Generator? generator = null, IProgress<WindowReport>? progress = null,
                                                 CancellationToken cancel = default)
    {
        var reports = new List<WindowReport>();
        foreach (var window in Plan(prior.Options, totalLength, zs[level].shape[1], settings.HopFraction, settings.ReferencePartialWindow))
        {
            cancel.ThrowIfCancellationRequested();
            var r = RunWindow(prior, zs, level, window, baseLabels, settings, generator);
            reports.Add(r);
            progress?.Report(r);
        }
        return reports;
    }

    /// <summary>
    /// The windows of a level as the reference would run them: (start, sample_tokens or null for a full window). A
    /// partial window's start depends on the codes present when it runs, so it is planned from <paramref name="current"/>.
    /// </summary>
    public static List<(long Start, long? SampleTokens)> Plan(PriorOptions o, long totalLength, long current, double hopFraction,
                                                              bool referencePartialWindow = false)
    {
        long nCtx = o.NCtx;
        if (totalLength >= nCtx)
            return Starts(totalLength, nCtx, Math.Max(1, (long)(hopFraction * nCtx))).Select(s => (s, (long?)null)).ToList();
        if (!referencePartialWindow)   // fixed: one window from 0 that ends at the level's length
            return current >= totalLength ? new() : new List<(long, long?)> { (0, totalLength) };
        // Reference sample_partial_window: always ADDS totalLength codes after what exists.
        return current < nCtx - totalLength
            ? new List<(long, long?)> { (0, current + totalLength) }
            : new List<(long, long?)> { (current - nCtx + totalLength, nCtx) };
    }

    /// <summary>New codes each planned window adds, starting from <paramref name="current"/> codes (for progress totals).</summary>
    public static long[] NewTokens(PriorOptions o, IReadOnlyList<(long Start, long? SampleTokens)> plan, long current)
    {
        var added = new long[plan.Count];
        long have = current;
        for (int i = 0; i < plan.Count; i++)
        {
            var (start, tokens) = plan[i];
            long present = Math.Max(0, Math.Min(start + o.NCtx, have) - start);
            added[i] = Math.Max(0, (tokens ?? o.NCtx) - present);
            have += added[i];
        }
        return added;
    }

    /// <summary>Codes of the level above a window needs to exist first (0 for the top level).</summary>
    public static long UpperCodesNeeded(PriorOptions o, long start) =>
        o.XCond ? (start + o.NCtx) / (long)Math.Pow(o.CondStrideT, o.CondDownT) : 0;

    /// <summary>The seed of the window at <paramref name="start"/> of <paramref name="level"/> (process-independent).</summary>
    public static ulong WindowSeedOf(int seed, int level, long start) => JukeboxBridge.Model.Seeds.Mix((uint)seed, level, start);

    /// <summary>Runs one planned window (see <see cref="Plan"/>).</summary>
    public static WindowReport RunWindow(SimplePrior prior, Tensor[] zs, int level, (long Start, long? SampleTokens) window, Tensor? baseLabels,
                                         LevelSettings settings, Generator? generator = null) =>
        SampleWindow(prior, zs, level, window.Start, window.SampleTokens, baseLabels, settings, generator);

    /// <summary>The label rows for a window starting at <paramref name="start"/> codes (reference get_y).</summary>
    public static Tensor WindowLabels(PriorOptions o, Tensor baseLabels, long start, IReadOnlyList<long[]>? fullLyrics)
    {
        var y = baseLabels.clone();
        long n = y.shape[0];
        using var offsets = baseLabels.select(1, 1) + start * o.RawToTokens;
        y.select(1, 2).fill_(o.SampleLength);
        y.select(1, 1).copy_(offsets);
        if (o.UseTokens && o.NTokens > 0)
        {
            if (fullLyrics is null || fullLyrics.Count != n) throw new ArgumentException("a lyrics prior needs the full lyric tokens of every item");
            var totals = baseLabels.select(1, 0).data<long>().ToArray();
            var offs = offsets.data<long>().ToArray();
            for (int i = 0; i < n; i++)
            {
                var w = LyricWindow.Select(fullLyrics[i], o.NTokens, totals[i], offs[i], o.SampleLength, float32Midpoint: true);
                y[i].narrow(0, y.shape[1] - o.NTokens, o.NTokens).copy_(tensor(w.Tokens));
            }
        }
        return y;
    }

    private static WindowReport SampleWindow(SimplePrior prior, Tensor[] zs, int level, long start, long? sampleTokens, Tensor? baseLabels,
                                             LevelSettings settings, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var o = prior.Options;
        // Codes and labels live on the host; a window's inputs go to the prior's device and its new codes come back.
        var device = prior.parameters().First().device;
        long nCtx = o.NCtx, end = start + nCtx, have = zs[level].shape[1];
        var z = zs[level].narrow(1, Math.Min(start, have), Math.Max(0, Math.Min(end, have) - start));
        long tokens = sampleTokens ?? nCtx;
        long newTokens = tokens - z.shape[1];
        if (newTokens <= 0) return new WindowReport(level, start, end, have, have, 0);

        Tensor? zCond = null;
        if (o.XCond)
        {
            long down = (long)Math.Pow(o.CondStrideT, o.CondDownT);
            var upper = zs[level + 1];
            if (start % down != 0 || upper.shape[1] < end / down)
                throw new InvalidOperationException($"level {level + 1} must be sampled up to code {end / down} before level {level} window {start}..{end}");
            zCond = upper.narrow(1, start / down, nCtx / down);
        }
        var y = baseLabels is null ? null : WindowLabels(o, baseLabels, start, settings.FullLyricTokens).to(device);
        z = z.to(device);
        zCond = zCond?.to(device);

        long n = zs[level].shape[0];
        var options = settings.Tokens with { SampleTokens = (int)tokens };
        if (settings.WindowSeed is int ws)
            generator = new Generator(WindowSeedOf(ws, level, start), device);
        var parts = new List<Tensor>();
        for (long b0 = 0; b0 < n; b0 += settings.MaxBatchSize)
        {
            long nb = Math.Min(settings.MaxBatchSize, n - b0);
            // Progress callbacks count the window's tokens over the whole batch.
            var chunkOptions = options.OnToken is { } onToken ? options with { OnToken = t => onToken(b0 * newTokens + t * nb) } : options;
            var window = prior.Sample(nb, y?.narrow(0, b0, nb), zCond?.narrow(0, b0, nb), z.shape[1] > 0 ? z.narrow(0, b0, nb) : null, chunkOptions, generator);
            parts.Add(window.narrow(1, window.shape[1] - newTokens, newTokens));
        }
        var added = (parts.Count == 1 ? parts[0] : cat(parts, 0)).cpu();
        var updated = cat(new[] { zs[level], added }, 1).DetachFromDisposeScope();
        zs[level].Dispose();
        zs[level] = updated;
        return new WindowReport(level, start, end, have, updated.shape[1], newTokens);
    }
}
