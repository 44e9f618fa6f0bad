using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.Training;

namespace JukeboxBridge.Evaluation;

/// <summary>Runs every measurement of <see cref="EvalReport"/> for a bundle on a dataset's held-out pieces.</summary>
public static class ModelEvaluator
{
    public static EvalReport Run(ModelBundle bundle, EvalOptions o, Action<string>? log = null, IProgress<JobProgress>? progress = null)
    {
        log ??= _ => { };
        var meta = DatasetMetadata.Load(o.DataDir);
        var heldout = meta.Pieces.Where(p => p.Split == "heldout").ToList();
        if (heldout.Count == 0) throw new UserInputException("--data", $"{o.DataDir} has no held-out pieces");
        int rate = bundle.Vqvae.Options.SampleRate, levels = bundle.Priors.Length;

        var rec = o.MusicalOnly ? new VqvaeReconstruction.Result(new double[levels], new double[levels], new double[levels]) : MeasureVqvae(bundle, o, heldout, log);
        var (sc, mr) = (rec.Convergence, rec.MultiResolution);
        var bits = o.MusicalOnly ? new double[levels] : MeasurePriors(bundle, o, log);
        double uniform = Math.Log2(bundle.Vqvae.Options.LBins);

        var prompts = Spread(heldout, o.Prompts);
        log($"continuations: {prompts.Count} held-out prompts of {o.PromptSeconds} s continued by {o.Seconds} s (one batch) ...");
        var cont = MusicalChecks.Continue(bundle, o.DataDir, prompts, prompts.Select(p => (p.Artist, p.Genre)).ToList(), o.PromptSeconds, o.Seconds, o.Seed, progress, o.Sampling);
        var agree = MusicalChecks.Agreement(cont, prompts, rate, log);
        log($"  top prior, bits per code on its last prompt window {cont.TopBits.Prompt:F2}, on its last sampled window {cont.TopBits.Sampled:F2}");

        var ups = o.MusicalOnly || bundle.Priors.Take(levels - 1).Any(p => p.Options.Labels) ? null : RunUpsamplers(bundle, o, null, log);
        var style = o.Classifier is null ? null : StyleFigures(o.Classifier, bundle, o, heldout, prompts, cont, log);

        var (tempoDir, timbreDir) = o.StylePrompts > 0 ? StyleDirection(bundle, o, heldout, meta, rate, log, progress) : (double.NaN, double.NaN);

        return new EvalReport
        {
            Model = bundle.Source,
            VqvaeSpectralConvergenceL0 = sc[0], VqvaeSpectralConvergenceL1 = sc[1], VqvaeSpectralConvergenceL2 = sc[2],
            VqvaeMrstftL0 = mr[0], VqvaeMrstftL1 = mr[1], VqvaeMrstftL2 = mr[2],
            VqvaeKeyPreservedL0 = rec.KeyPreserved[0], VqvaeKeyPreservedL1 = rec.KeyPreserved[1], VqvaeKeyPreservedL2 = rec.KeyPreserved[2],
            PriorBitsPerTokenL0 = bits[0], PriorBitsPerTokenL1 = bits[1], PriorBitsPerTokenL2 = bits[2],
            UniformBits = uniform, PriorBitsGainTop = uniform - bits[levels - 1],
            KeyAgreement = agree.Key, KeyChance = agree.KeyChance, TempoAgreement = agree.Tempo, TempoChance = agree.TempoChance,
            PromptKeyAccuracy = agree.PromptKeyAccuracy, KeyAgreementTopLevel = agree.KeyTop, StyleTempoDirection = tempoDir, StyleTimbreDirection = timbreDir,
            UpsampleScTrueTop = ups?.ScTrueTop ?? double.NaN, UpsampleScTrueL1 = ups?.ScTrueL1 ?? double.NaN,
            UpsamplerConditioningGainBitsL0 = ups?.ConditioningGainBits[0] ?? double.NaN, UpsamplerConditioningGainBitsL1 = ups?.ConditioningGainBits[1] ?? double.NaN,
            UpsamplerSampledBitsL0 = ups?.SampledBits[0] ?? double.NaN, UpsamplerSampledBitsL1 = ups?.SampledBits[1] ?? double.NaN,
            UpsamplerTrueBitsL0 = ups?.TrueBits[0] ?? double.NaN, UpsamplerTrueBitsL1 = ups?.TrueBits[1] ?? double.NaN,
            ClassifierGenreAccuracy = style?.ClassifierGenre ?? double.NaN, ClassifierArtistAccuracy = style?.ClassifierArtist ?? double.NaN,
            ContinuationGenreAccuracy = style?.ContinuationGenre ?? double.NaN, ContinuationArtistAccuracy = style?.ContinuationArtist ?? double.NaN,
            GenreChance = style is null ? double.NaN : 1.0 / o.Classifier!.Genres.Count, ArtistChance = style is null ? double.NaN : 1.0 / o.Classifier!.Artists.Count,
            FadContinuation = style?.FadContinuation ?? double.NaN, FadReconstruction = style?.FadReconstruction ?? double.NaN,
            FadEmbeddingSize = Style.StyleClassifier.EmbeddingSize, FadReferenceClips = style?.ReferenceClips ?? 0, FadClips = style?.Clips ?? 0,
            FadClipSeconds = o.FadClipSeconds,
            Prompts = prompts.Count, Seconds = o.Seconds,
        };
    }

    private sealed record StyleResult(double ClassifierGenre, double ClassifierArtist, double ContinuationGenre, double ContinuationArtist,
                                      double FadContinuation, double FadReconstruction, int ReferenceClips, int Clips);

    /// <summary>
    /// The style classifier on held-out pieces (the clip after the prompt, where continuations go), on the continuations
    /// against the labels they were conditioned on, and the in-domain FAD: embeddings of every held-out piece's clips
    /// against those of the continuations and of the VQ-VAE's level-0 reconstructions of the clips they replace.
    /// </summary>
    private static StyleResult StyleFigures(Style.StyleClassifier c, ModelBundle bundle, EvalOptions o, List<DatasetEntry> heldout,
                                            List<DatasetEntry> prompts, MusicalChecks.Continuations cont, Action<string> log)
    {
        log($"style classifier: {heldout.Count} held-out pieces, {cont.Continued.Length} continuations; in-domain FAD over {o.FadClipSeconds} s clips ...");
        var (cg, ca) = Style.ClassifierTraining.Accuracy(c, o.DataDir, heldout, o.PromptSeconds, o.Seconds);
        var (pg, pa) = Style.ClassifierTraining.PredictAll(c, cont.Continued);
        double contGenre = prompts.Select((p, i) => c.Genres[pg[i]] == p.Genre ? 1.0 : 0).Average();
        double contArtist = prompts.Select((p, i) => c.Artists[pa[i]] == p.Artist ? 1.0 : 0).Average();
        var reference = Style.ClassifierTraining.Embeddings(c, heldout.Select(p => Style.ClassifierTraining.Clip(c.SampleRate, o.DataDir, p, 0, double.PositiveInfinity)), o.FadClipSeconds);
        var continued = Style.ClassifierTraining.Embeddings(c, cont.Continued, o.FadClipSeconds);
        var vq = bundle.Vqvae;
        int unit = vq.Options.LengthMultiple;
        var reconstructed = Style.ClassifierTraining.Embeddings(c, prompts.Select(p =>
        {
            var clip = Style.ClassifierTraining.Clip(c.SampleRate, o.DataDir, p, o.PromptSeconds, o.Seconds);
            int n = clip.Length / unit * unit;
            using var noGrad = TorchSharp.torch.no_grad();
            using var scope = TorchSharp.torch.NewDisposeScope();
            var zs = vq.Encode(TorchSharp.torch.tensor(clip.AsSpan(0, n).ToArray()).view(1, n, 1));
            return vq.Decode(zs, 0)[0, .., 0].contiguous().data<float>().ToArray();
        }), o.FadClipSeconds);
        return new StyleResult(cg, ca, contGenre, contArtist, Style.FrechetDistance.Compute(reference, continued),
                               Style.FrechetDistance.Compute(reference, reconstructed), reference.Length, continued.Length);
    }

    /// <summary>Bits per code of each prior level on held-out windows (teacher-forced).</summary>
    private static double[] MeasurePriors(ModelBundle bundle, EvalOptions o, Action<string> log)
    {
        log($"priors: bits per code on {o.PriorWindows} held-out windows per level ...");
        var bits = new double[bundle.Priors.Length];
        using var corpus = new PriorCorpus(o.DataDir, "heldout", bundle.Vqvae, null, null);
        for (int l = 0; l < bits.Length; l++)
        {
            var po = bundle.Priors[l].Options;
            var labeller = po.Labels
                ? new Labeller(StyleTable.Load(bundle.IdsDir ?? throw new ModelInputException("--model", "the labelled prior needs the bundle's id tables"), "v2"), po.MaxBowGenreSize ?? 1, 0, po.SampleLength, null)
                : null;
            bits[l] = PriorEvaluation.BitsPerToken(bundle.Priors[l], corpus, labeller, o.PriorWindows);
        }
        return bits;
    }

    /// <summary>The same prompts under the fastest and the slowest genre of the data (mean labelled tempo), and under its
    /// brightest and darkest artist (mean spectral centroid): how often the continuation moves the labelled way.</summary>
    private static (double Tempo, double Timbre) StyleDirection(ModelBundle bundle, EvalOptions o, List<DatasetEntry> heldout, DatasetMetadata meta,
                                                                int rate, Action<string> log, IProgress<JobProgress>? progress)
    {
        var styled = Spread(heldout, o.StylePrompts);
        var tempi = meta.Pieces.GroupBy(p => p.Genre).ToDictionary(g => g.Key, g => g.Average(p => p.Tempo));
        var (fast, slow) = (tempi.MaxBy(kv => kv.Value).Key, tempi.MinBy(kv => kv.Value).Key);
        var (bright, dark) = BrightestAndDarkest(o.DataDir, meta, rate);
        log($"style: {styled.Count} prompts as {fast} vs {slow}, and by {bright} vs {dark} ...");
        var rows = styled.SelectMany(p => new[] { (p.Artist, fast), (p.Artist, slow) })
                         .Concat(styled.SelectMany(p => new[] { (bright, p.Genre), (dark, p.Genre) })).ToList();
        var twice = styled.SelectMany(p => new[] { p, p }).ToList();
        var styleRun = MusicalChecks.Continue(bundle, o.DataDir, twice.Concat(twice).ToList(), rows, o.PromptSeconds, o.Seconds, o.Seed + 1, progress, o.Sampling);
        int k = styled.Count;
        double tempoDir = Enumerable.Range(0, k).Average(i =>
            MusicalChecks.OnsetRate(styleRun.Continued[2 * i], rate) > MusicalChecks.OnsetRate(styleRun.Continued[2 * i + 1], rate) ? 1.0 : 0.0);
        double timbreDir = Enumerable.Range(0, k).Average(i =>
            MusicalChecks.Centroid(styleRun.Continued[2 * k + 2 * i], rate) > MusicalChecks.Centroid(styleRun.Continued[2 * k + 2 * i + 1], rate) ? 1.0 : 0.0);

        return (tempoDir, timbreDir);
    }

    /// <summary>Only the VQ-VAE's reconstruction per level (spectral convergence, multi-resolution STFT): quick, for checking a VQ-VAE while it trains.</summary>
    public static VqvaeReconstruction.Result RunVqvae(ModelBundle bundle, EvalOptions o, Action<string>? log = null)
    {
        var heldout = DatasetMetadata.Load(o.DataDir).Pieces.Where(p => p.Split == "heldout").ToList();
        if (heldout.Count == 0) throw new UserInputException("--data", $"{o.DataDir} has no held-out pieces");
        return MeasureVqvae(bundle, o, heldout, log ?? (_ => { }));
    }

    /// <summary>Only the upsamplers under true upper-level codes (see <see cref="UpsamplerCheck"/>).</summary>
    public static UpsamplerCheck.Result RunUpsamplers(ModelBundle bundle, EvalOptions o, double? temperature = null, Action<string>? log = null)
    {
        var heldout = DatasetMetadata.Load(o.DataDir).Pieces.Where(p => p.Split == "heldout").ToList();
        if (heldout.Count == 0) throw new UserInputException("--data", $"{o.DataDir} has no held-out pieces");
        var pieces = Spread(heldout, o.VqvaePieces);
        log?.Invoke($"upsamplers: re-sampling {pieces.Count} held-out pieces of {o.UpsamplerSeconds} s under their own upper-level codes ...");
        return UpsamplerCheck.Measure(bundle, o.DataDir, pieces, o.UpsamplerSeconds, o.Seed, temperature);
    }

    private static VqvaeReconstruction.Result MeasureVqvae(ModelBundle bundle, EvalOptions o, List<DatasetEntry> heldout, Action<string> log)
    {
        log($"VQ-VAE: reconstructing {Math.Min(o.VqvaePieces, heldout.Count)} held-out pieces from each level ...");
        return VqvaeReconstruction.Measure(bundle.Vqvae, o.DataDir, Spread(heldout, o.VqvaePieces), o.VqvaeSeconds);
    }

    /// <summary>Up to <paramref name="n"/> pieces spread evenly over the list (so every genre and artist is represented).</summary>
    public static List<DatasetEntry> Spread(IReadOnlyList<DatasetEntry> pieces, int n) =>
        Enumerable.Range(0, Math.Min(n, pieces.Count)).Select(i => pieces[(int)((long)i * pieces.Count / Math.Min(n, pieces.Count))]).ToList();

    private static (string Bright, string Dark) BrightestAndDarkest(string dir, DatasetMetadata meta, int rate)
    {
        var byArtist = meta.Pieces.GroupBy(p => p.Artist).ToDictionary(g => g.Key, g => g.Take(2).Average(p =>
        {
            var clip = AudioFile.ReadAs(Path.Combine(dir, p.File), rate, mono: true);
            return MusicalChecks.Centroid(clip.Channels[0].AsSpan(0, (int)Math.Min(clip.Frames, 5L * rate)).ToArray(), rate);
        }));
        return (byArtist.MaxBy(kv => kv.Value).Key, byArtist.MinBy(kv => kv.Value).Key);
    }
}
