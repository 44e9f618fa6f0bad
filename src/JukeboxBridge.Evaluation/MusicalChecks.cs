using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Jobs;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation;

/// <summary>
/// Continues held-out prompts (all in one batched job, each row with its own piece's artist and genre) and compares
/// what the continuations sound like with their prompts: key (24-key template estimator) and tempo (within 4%,
/// octave errors are misses), against chance; and whether contrasting style labels move tempo and brightness the
/// labelled way.
/// </summary>
public static class MusicalChecks
{
    /// <param name="ContinuedTop">The same continuations decoded from their top-level codes alone (diagnostic: separates
    /// what the top prior chose from what the upsamplers made of it).</param>
    /// <param name="TopBits">The top prior's bits per code (teacher-forced) on its last window of prompt codes and on its last
    /// window of sampled codes: when sampling matches training the two are alike; a much higher second figure means
    /// the sampler draws codes the model itself finds unlikely.</param>
    public sealed record Continuations(float[][] Prompts, float[][] Continued, float[][]? ContinuedTop = null, (double Prompt, double Sampled) TopBits = default);

    /// <summary>Prompts (first <paramref name="promptSeconds"/> of each piece) continued by <paramref name="seconds"/> under the given styles.</summary>
    public static Continuations Continue(ModelBundle bundle, string dataDir, IReadOnlyList<DatasetEntry> pieces,
                                         IReadOnlyList<(string Artist, string Genre)> styles, double promptSeconds, double seconds, int seed,
                                         IProgress<JobProgress>? progress = null, SamplingOverrides? sampling = null)
    {
        var vq = bundle.Vqvae;
        int rate = vq.Options.SampleRate, unit = vq.Options.LengthMultiple;
        int n = (int)(promptSeconds * rate) / unit * unit;
        var prompts = pieces.Select(p =>
        {
            var clip = AudioFile.ReadAs(Path.Combine(dataDir, p.File), rate, mono: true);
            if (clip.Frames < n) throw new UserInputException("--data", $"{p.File} is shorter than the {promptSeconds} s prompt");
            return clip.Channels[0].AsSpan(0, n).ToArray();
        }).ToArray();
        Tensor[] zs;
        using (no_grad())
        using (var x = tensor(prompts.SelectMany(p => p).ToArray()).view(prompts.Length, n, 1))
            zs = vq.Encode(x, chunkSamples: 30L * rate, batchChunk: BlockDecoder.RowsPerDecode);
        using var codes = new CodesFile(zs.Select((z, l) => (l, z)).ToDictionary(p => p.l, p => p.z), bundle.Source, vq.HopLengths, rate, n);
        var settings = new JobSettings
        {
            Mode = JobMode.Continue, Seconds = seconds, Variations = prompts.Length, Seed = seed, Model = bundle.Source,
            Temperature = sampling?.Temperature ?? [], TopK = sampling?.TopK ?? 0, TopP = sampling?.TopP ?? 0,
        };
        using var job = SamplingJob.Create(bundle, settings, codes: codes, idsDir: bundle.IdsDir, rowStyles: styles.Select(s => ((string?)s.Artist, (string?)s.Genre)).ToList());
        var result = job.Run(progress);
        var continued = result.Takes.Select(t => t.Channels[0].AsSpan(n).ToArray()).ToArray();
        int top = job.State.Levels - 1;
        using var topAudio = vq.Decode([job.State.Codes[top]], startLevel: top, batchChunk: BlockDecoder.RowsPerDecode);
        using var flat = topAudio.squeeze(-1).contiguous();
        var topRows = Enumerable.Range(0, prompts.Length).Select(i =>
        {
            using var row = flat[i];
            var all = row.data<float>().ToArray();
            return all.AsSpan(n, Math.Min(continued[i].Length, all.Length - n)).ToArray();
        }).ToArray();
        return new Continuations(prompts, continued, topRows, (TopBits(bundle, job.State, top, zs[top].shape[1]), TopBits(bundle, job.State, top, job.State.Codes[top].shape[1])));
    }

    private static double TopBits(ModelBundle bundle, JobState state, int level, long endToken)
    {
        var prior = bundle.Priors[level];
        long start = Math.Max(0, endToken - prior.Options.NCtx);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var z = state.Codes[level].narrow(1, start, Math.Min(prior.Options.NCtx, endToken - start));
        var y = state.Labels[level] is Tensor baseLabels ? LevelSampling.WindowLabels(prior.Options, baseLabels, start, null) : null;
        using var fwd = prior.Forward(z, y, null);
        return fwd.GenLoss.item<float>();
    }

    /// <summary>Key agreement and its chance (1 / 24); tempo agreement and its chance (each continuation against another row's prompt).</summary>
    public static (double Key, double KeyChance, double Tempo, double TempoChance, double PromptKeyAccuracy, double KeyTop) Agreement(
        Continuations c, IReadOnlyList<DatasetEntry> pieces, int rate, Action<string>? log = null)
    {
        int m = c.Prompts.Length;
        var promptKeys = c.Prompts.Select(p => KeyEstimator.Estimate(p, rate).Key).ToArray();
        var contKeys = c.Continued.Select(p => KeyEstimator.Estimate(p, rate).Key).ToArray();
        var topKeys = (c.ContinuedTop ?? c.Continued).Select(p => KeyEstimator.Estimate(p, rate).Key).ToArray();
        var promptTempi = c.Prompts.Select(p => TempoEstimator.Estimate(p, rate)).ToArray();
        var contTempi = c.Continued.Select(p => TempoEstimator.Estimate(p, rate)).ToArray();
        double key = Enumerable.Range(0, m).Average(i => promptKeys[i] == contKeys[i] ? 1.0 : 0.0);
        double tempo = Enumerable.Range(0, m).Average(i => TempoEstimator.Agree(contTempi[i], promptTempi[i]) ? 1.0 : 0.0);
        double tempoChance = m < 2 ? double.NaN
            : Enumerable.Range(0, m).Average(i => Enumerable.Range(0, m).Where(j => j != i).Average(j => TempoEstimator.Agree(contTempi[i], promptTempi[j]) ? 1.0 : 0.0));
        double keyAccuracy = Enumerable.Range(0, m).Average(i => KeyName(promptKeys[i]) == pieces[i].Key ? 1.0 : 0.0);
        double keyTop = c.ContinuedTop is null ? double.NaN : Enumerable.Range(0, m).Average(i => promptKeys[i] == topKeys[i] ? 1.0 : 0.0);
        for (int i = 0; i < m; i++)
            log?.Invoke($"  {pieces[i].File}: labelled {pieces[i].Key}, {pieces[i].Tempo} bpm; prompt {KeyName(promptKeys[i])}, {promptTempi[i]:F1} bpm; " +
                        $"continuation {KeyName(contKeys[i])}, {contTempi[i]:F1} bpm; its top level alone {KeyName(topKeys[i])}");
        return (key, 1.0 / 24, tempo, tempoChance, keyAccuracy, keyTop);
    }

    /// <summary>Sampling settings that override the bundle's for the continuations (null/0: the bundle's).</summary>
    public sealed record SamplingOverrides(double[]? Temperature, int TopK, double TopP);

    private static readonly string[] Names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    private static string KeyName(int key) => $"{Names[key % 12]} {(key < 12 ? "major" : "minor")}";

    /// <summary>Onsets per second: 10 ms frames whose energy more than doubles.</summary>
    public static double OnsetRate(float[] x, int rate)
    {
        int frame = rate / 100;
        var e = x.Chunk(frame).Select(c => c.Sum(v => (double)v * v)).ToArray();
        int onsets = 0;
        for (int i = 1; i < e.Length; i++) if (e[i] > 2 * e[i - 1] + 1e-4) onsets++;
        return onsets / (x.Length / (double)rate);
    }

    /// <summary>Spectral centroid below 8 kHz (Hz): brightness.</summary>
    public static double Centroid(float[] x, int rate)
    {
        var s = Spectrogram.Compute(x, rate, 2048, 1024);
        double num = 0, den = 0;
        foreach (var row in s.Magnitudes)
            for (int k = 0; k * s.BinHz < 8000 && k < row.Length; k++) { num += k * s.BinHz * row[k]; den += row[k]; }
        return num / Math.Max(den, 1e-12);
    }
}
