using System.CommandLine;
using System.Diagnostics;
using JukeboxBridge.Evaluation;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.Synth;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox eval: measured quality of a model bundle on held-out pieces (see EvalReport).</summary>
public static class EvalCommand
{
    public static Command Create(CliContext ctx)
    {
        var model = new Option<string?>("--model") { Description = "bundle to evaluate (default: the embedded default model)" };
        var data = new Option<string?>("--data") { Description = "labelled dataset with held-out pieces (default: 30 unseen synthetic pieces of every genre and artist, generated once into a cache folder)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of a table" };
        var prompts = new Option<int>("--prompts") { Description = "held-out prompts to continue (one batch)", DefaultValueFactory = _ => 30 };
        var promptSeconds = new Option<double>("--prompt-seconds") { DefaultValueFactory = _ => 6, Description = "prompt length" };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 6, Description = "continuation length" };
        var stylePrompts = new Option<int>("--style-prompts") { DefaultValueFactory = _ => 8, Description = "prompts for the style-conditioning check" };
        var windows = new Option<int>("--prior-windows") { DefaultValueFactory = _ => 24, Description = "held-out windows per prior level" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "sampling seed" };
        var vqvaeOnly = new Option<bool>("--vqvae-only") { Description = "only the VQ-VAE's reconstruction (quick; e.g. while the priors are not trained yet)" };
        var musicalOnly = new Option<bool>("--musical-only") { Description = "only the continuation checks (key, tempo, style); skips the VQ-VAE and prior measurements" };
        var upsamplerOnly = new Option<bool>("--upsampler-only") { Description = "only the upsamplers under true upper-level codes (spectral convergence, conditioning gain, bits of their own samples)" };
        var classifierOnly = new Option<bool>("--classifier-only") { Description = "only the style classifier's accuracy on the held-out pieces (training it first when there is none)" };
        var classifier = new Option<string?>("--classifier") { Description = "style classifier for the genre/artist and FAD figures (default: presets/eval/style_classifier.safetensors; trained once into the cache when missing)" };
        var temperature = new Option<string?>("--temperature") { Description = "sampling temperature for the continuations: one value, or one per level bottom to top; default: the bundle's" };
        var topK = new Option<int>("--top-k") { Description = "top-k for the continuations (0: off)" };
        var topP = new Option<double>("--top-p") { Description = "nucleus sampling for the continuations (0: off)" };
        var cmd = new Command("eval", "Measure a model on held-out pieces: VQ-VAE reconstruction, prior bits per code, key/tempo agreement of continuations, style conditioning")
            { model, data, json, prompts, promptSeconds, seconds, stylePrompts, windows, seed, vqvaeOnly, musicalOnly, upsamplerOnly, classifierOnly, classifier, temperature, topK, topP };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            string spec = ModelBundle.ResolveSpec(r.GetValue(model));
            string dir = r.GetValue(data) ?? SyntheticHeldout(ctx);
            if (r.GetValue(classifierOnly))
            {
                var c = LoadClassifier(ctx, r.GetValue(classifier));
                var held = JukeboxBridge.Audio.Datasets.DatasetMetadata.Load(dir).Pieces.Where(p => p.Split == "heldout").ToList();
                var (g, a) = JukeboxBridge.Evaluation.Style.ClassifierTraining.Accuracy(c, dir, held, r.GetValue(promptSeconds), r.GetValue(seconds));
                ctx.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, double> { ["classifier_genre_accuracy"] = g, ["classifier_artist_accuracy"] = a, ["pieces"] = held.Count }));
                return 0;
            }
            using var bundle = ModelBundle.Load(spec);
            var sw = Stopwatch.StartNew();
            if (r.GetValue(vqvaeOnly)) return PrintVqvae(ctx, bundle, dir, r.GetValue(json));
            if (r.GetValue(upsamplerOnly))
            {
                var temps = JobOptions.Doubles(r.GetValue(temperature), "--temperature");
                var u = ModelEvaluator.RunUpsamplers(bundle, new EvalOptions { DataDir = dir, Seed = r.GetValue(seed) }, temps.Length > 0 ? temps[0] : null, ctx.Err.WriteLine);
                ctx.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(u));
                ctx.Err.WriteLine($"evaluated in {sw.Elapsed.TotalMinutes:F1} min");
                return 0;
            }
            var bar = new LevelProgress(ctx.Err, bundle.Priors.Length);
            var report = ModelEvaluator.Run(bundle, new EvalOptions
            {
                DataDir = dir, Prompts = r.GetValue(prompts), PromptSeconds = r.GetValue(promptSeconds), Seconds = r.GetValue(seconds),
                StylePrompts = r.GetValue(stylePrompts), PriorWindows = r.GetValue(windows), Seed = r.GetValue(seed),
                MusicalOnly = r.GetValue(musicalOnly), Classifier = LoadClassifier(ctx, r.GetValue(classifier)),
                Sampling = new MusicalChecks.SamplingOverrides(JobOptions.Doubles(r.GetValue(temperature), "--temperature"), r.GetValue(topK), r.GetValue(topP)),
            }, bar.Message, new CallbackProgress<JobProgress>(bar.Update));
            ctx.Err.WriteLine($"evaluated in {sw.Elapsed.TotalMinutes:F1} min");
            if (r.GetValue(json)) { ctx.Out.WriteLine(report.ToJson()); return 0; }
            PrintReport(ctx, report);
            return 0;
        }));
        return cmd;
    }

    /// <summary>--vqvae-only: the VQ-VAE's reconstruction from each level.</summary>
    private static int PrintVqvae(CliContext ctx, ModelBundle bundle, string dir, bool json)
    {
        var (sc, mr, kp) = ModelEvaluator.RunVqvae(bundle, new EvalOptions { DataDir = dir }, ctx.Err.WriteLine);
        if (json)
            ctx.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(Enumerable.Range(0, sc.Length)
                .SelectMany(l => new[] { ($"vqvae_spectral_convergence_l{l}", sc[l]), ($"vqvae_mrstft_l{l}", mr[l]), ($"vqvae_key_preserved_l{l}", kp[l]) })
                .ToDictionary(kv => kv.Item1, kv => kv.Item2)));
        else
        {
            ctx.Out.WriteLine($"VQ-VAE spectral convergence  {string.Join("  ", sc.Select((v, l) => $"l{l} {v:F3}"))}");
            ctx.Out.WriteLine($"VQ-VAE multi-res STFT        {string.Join("  ", mr.Select((v, l) => $"l{l} {v:F3}"))}");
            ctx.Out.WriteLine($"VQ-VAE key preserved         {string.Join("  ", kp.Select((v, l) => $"l{l} {v:P0}"))}");
        }
        return 0;
    }

    /// <summary>The full report as the table a person reads.</summary>
    private static void PrintReport(CliContext ctx, EvalReport report)
    {
        ctx.Out.WriteLine($"model: {report.Model}");
        ctx.Out.WriteLine($"VQ-VAE spectral convergence  l0 {report.VqvaeSpectralConvergenceL0:F3}  l1 {report.VqvaeSpectralConvergenceL1:F3}  l2 {report.VqvaeSpectralConvergenceL2:F3}");
        ctx.Out.WriteLine($"VQ-VAE multi-res STFT        l0 {report.VqvaeMrstftL0:F3}  l1 {report.VqvaeMrstftL1:F3}  l2 {report.VqvaeMrstftL2:F3}");
        ctx.Out.WriteLine($"VQ-VAE key preserved         l0 {report.VqvaeKeyPreservedL0:P0}  l1 {report.VqvaeKeyPreservedL1:P0}  l2 {report.VqvaeKeyPreservedL2:P0}");
        ctx.Out.WriteLine($"prior bits per code          l0 {report.PriorBitsPerTokenL0:F2}  l1 {report.PriorBitsPerTokenL1:F2}  l2 {report.PriorBitsPerTokenL2:F2}  (uniform {report.UniformBits:F0}; top gain {report.PriorBitsGainTop:F2})");
        ctx.Out.WriteLine($"key agreement                {report.KeyAgreement:P0} (chance {report.KeyChance:P1}; key estimator right on {report.PromptKeyAccuracy:P0} of prompts; top level alone {report.KeyAgreementTopLevel:P0})");
        ctx.Out.WriteLine($"tempo agreement              {report.TempoAgreement:P0} (chance {report.TempoChance:P0})");
        ctx.Out.WriteLine($"upsamplers, true upper codes spectral convergence {report.UpsampleScTrueTop:F3} from the top, {report.UpsampleScTrueL1:F3} from level 1 (level-2 reconstruction {report.VqvaeSpectralConvergenceL2:F3})");
        ctx.Out.WriteLine($"upsampler bits l0 / l1         true {report.UpsamplerTrueBitsL0:F2} / {report.UpsamplerTrueBitsL1:F2}, own samples {report.UpsamplerSampledBitsL0:F2} / {report.UpsamplerSampledBitsL1:F2}, other piece's upper codes +{report.UpsamplerConditioningGainBitsL0:F2} / +{report.UpsamplerConditioningGainBitsL1:F2}");
        ctx.Out.WriteLine($"style classifier             held-out genre {report.ClassifierGenreAccuracy:P0}, artist {report.ClassifierArtistAccuracy:P0}");
        ctx.Out.WriteLine($"continuation style           genre {report.ContinuationGenreAccuracy:P0} (chance {report.GenreChance:P0}), artist {report.ContinuationArtistAccuracy:P0} (chance {report.ArtistChance:P0})");
        ctx.Out.WriteLine($"in-domain FAD                continuations {report.FadContinuation:F2}, VQ-VAE reconstructions {report.FadReconstruction:F2} ({report.FadEmbeddingSize}-d embeddings, {report.FadReferenceClips} reference and {report.FadClips} clips of {report.FadClipSeconds:G} s)");
        ctx.Out.WriteLine($"style moves tempo / timbre   {report.StyleTempoDirection:P0} / {report.StyleTimbreDirection:P0} of prompts the labelled way");
    }

    /// <summary>The classifier given, else the shipped one, else one trained once (about 5 minutes) on synthetic pieces of seed 2 into the cache.</summary>
    private static JukeboxBridge.Evaluation.Style.StyleClassifier LoadClassifier(CliContext ctx, string? path)
    {
        if (path is not null) return JukeboxBridge.Evaluation.Style.StyleClassifier.Load(path);
        string shipped = Path.Combine(JukeboxBridge.Model.Presets.ModelPreset.Root, "eval", ShippedClassifier);
        if (File.Exists(shipped)) return JukeboxBridge.Evaluation.Style.StyleClassifier.Load(shipped);
        string dir = Path.Combine(CacheDir(), "synth-classifier-s2-n120-p30");
        string cached = Path.Combine(CacheDir(), ShippedClassifier);
        if (File.Exists(cached)) return JukeboxBridge.Evaluation.Style.StyleClassifier.Load(cached);
        if (!File.Exists(Path.Combine(dir, "metadata.json")))
        {
            ctx.Err.WriteLine($"generating 120 synthetic pieces (seed 2) for the style classifier into {dir} ...");
            SynthDataset.Write(dir, hours: 1, pieceSeconds: 30, seed: 2, heldoutEvery: 10);
        }
        var (model, report) = JukeboxBridge.Evaluation.Style.ClassifierTraining.Train(dir, new(), ctx.Err.WriteLine);
        model.Save(cached, new Dictionary<string, string>
        {
            ["trained_on"] = "jukebox dataset synth --hours 1 --seed 2 (train split)", ["steps"] = report.Steps.ToString(),
            ["heldout_genre_accuracy"] = report.HeldoutGenreAccuracy.ToString("F3"), ["heldout_artist_accuracy"] = report.HeldoutArtistAccuracy.ToString("F3"),
        });
        ctx.Err.WriteLine($"style classifier saved to {cached} ({report.Seconds / 60:F1} min)");
        return model;
    }

    public const string ShippedClassifier = "style_classifier.safetensors";

    private static string CacheDir() => Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "jukeboxbridge");

    /// <summary>
    /// Unseen synthetic pieces: 30 pieces of 30 s from generator seed 1 (the default model trained on seed 0), every
    /// genre and artist, all held out; generated once into the user's cache.
    /// </summary>
    private static string SyntheticHeldout(CliContext ctx)
    {
        string dir = Path.Combine(CacheDir(), "synth-test-s1-n30-p30");
        if (!File.Exists(Path.Combine(dir, "metadata.json")))
        {
            ctx.Err.WriteLine($"generating 30 unseen synthetic pieces (seed 1) into {dir} ...");
            SynthDataset.Write(dir, hours: 30 * 30.0 / 3600, pieceSeconds: 30, seed: 1, heldoutEvery: 1);
        }
        return dir;
    }
}
