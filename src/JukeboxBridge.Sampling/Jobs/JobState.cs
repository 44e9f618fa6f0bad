using JukeboxBridge.Errors;
using System.Text.Json;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Jobs;

/// <summary>
/// Where a job stands: the codes of every level so far (variations, tokens), the window plan of each level and how
/// many of its windows are done, the label rows and lyric tokens per level, and the take's length. Saved as the job
/// folder's codes.safetensors after every window; codes only grow by whole windows, so the saved state is always one
/// the sampler passed through, and resuming from it gives the uninterrupted result (windows draw from per-window seeds).
/// </summary>
public sealed class JobState : IDisposable
{
    public Tensor[] Codes { get; }
    public long TotalSamples { get; }
    /// <summary>Audio samples at the start given rather than sampled (the prompt, or kept seconds).</summary>
    public long PromptSamples { get; }
    public List<(long Start, long? SampleTokens)>[] Plans { get; }
    public int[] WindowsDone { get; }
    /// <summary>Codes each level had when the job was planned (progress totals count from there).</summary>
    public long[] InitialTokens { get; }
    public Tensor?[] Labels { get; }
    /// <summary>Full lyric tokens per level (one row per variation), for lyrics priors.</summary>
    public IReadOnlyList<long[]>?[] Lyrics { get; }

    public JobState(Tensor[] codes, long totalSamples, long promptSamples, List<(long, long?)>[] plans, int[] windowsDone, long[] initialTokens,
                    Tensor?[] labels, IReadOnlyList<long[]>?[] lyrics)
    {
        Codes = codes; TotalSamples = totalSamples; PromptSamples = promptSamples; Plans = plans; WindowsDone = windowsDone; InitialTokens = initialTokens;
        Labels = labels; Lyrics = lyrics;
    }

    public int Levels => Codes.Length;
    public long Variations => Codes[0].shape[0];
    public bool Finished => Enumerable.Range(0, Levels).All(l => WindowsDone[l] >= Plans[l].Count);

    /// <summary>The state as a codes file (its tensors are aliases: dispose it when written).</summary>
    public CodesFile ToCodesFile(string model, int[] hops, int sampleRate, string settingsJson)
    {
        var extra = new Dictionary<string, string>
        {
            ["jukebox.job.settings"] = settingsJson,
            ["jukebox.job.total_samples"] = TotalSamples.ToString(),
            ["jukebox.job.prompt_samples"] = PromptSamples.ToString(),
            ["jukebox.job.plans"] = JsonSerializer.Serialize(Plans.Select(p => p.Select(w => new[] { w.Start, w.SampleTokens ?? 0 }).ToArray()).ToArray()),
            ["jukebox.job.windows_done"] = string.Join(",", WindowsDone),
            ["jukebox.job.initial_tokens"] = string.Join(",", InitialTokens),
        };
        var tensors = new Dictionary<string, Tensor>();
        for (int l = 0; l < Levels; l++)
        {
            if (Labels[l] is Tensor y) tensors[$"labels/level_{l}"] = y.alias();
            if (Lyrics[l] is { } rows)
            {
                int width = rows.Max(r => r.Length);
                var flat = rows.SelectMany(r => r.Concat(Enumerable.Repeat(-1L, width - r.Length))).ToArray();   // -1 pads ragged rows
                tensors[$"lyrics/level_{l}"] = tensor(flat).view(rows.Count, width);
            }
        }
        return new CodesFile(Enumerable.Range(0, Levels).ToDictionary(l => l, l => Codes[l].alias()), model, hops, sampleRate, Codes[0].shape[1] * hops[0])
        { Extra = extra, ExtraTensors = tensors };
    }

    /// <summary>The state saved in a job's codes file (which it takes over: its tensors now belong to the state).</summary>
    public static JobState FromCodesFile(CodesFile f)
    {
        string Get(string k) => f.Extra.TryGetValue(k, out var v) ? v : throw new UserInputException("codes", $"codes file has no {k}: not a job's codes");
        int levels = f.Levels.Count;
        var plansJson = JsonSerializer.Deserialize<long[][][]>(Get("jukebox.job.plans")) ?? throw new UserInputException("codes", "bad jukebox.job.plans");
        var plans = plansJson.Select(p => p.Select(w => (w[0], w[1] == 0 ? (long?)null : w[1])).ToList()).ToArray();
        var done = Get("jukebox.job.windows_done").Split(',').Select(int.Parse).ToArray();
        var initial = Get("jukebox.job.initial_tokens").Split(',').Select(long.Parse).ToArray();
        if (plans.Length != levels || done.Length != levels || initial.Length != levels) throw new UserInputException("codes", "job plan does not match the levels of its codes");
        var labels = new Tensor?[levels];
        var lyrics = new IReadOnlyList<long[]>?[levels];
        for (int l = 0; l < levels; l++)
        {
            if (f.ExtraTensors.TryGetValue($"labels/level_{l}", out var y)) labels[l] = y.alias();
            if (f.ExtraTensors.TryGetValue($"lyrics/level_{l}", out var t))
                lyrics[l] = Enumerable.Range(0, (int)t.shape[0]).Select(i => t[i].data<long>().Where(v => v >= 0).ToArray()).ToList();
        }
        var codes = Enumerable.Range(0, levels).Select(l => f.Levels[l].alias()).ToArray();
        return new JobState(codes, long.Parse(Get("jukebox.job.total_samples")), long.Parse(Get("jukebox.job.prompt_samples")), plans, done, initial, labels, lyrics);
    }

    public void Dispose()
    {
        foreach (var c in Codes) c.Dispose();
        foreach (var y in Labels) y?.Dispose();
    }
}
