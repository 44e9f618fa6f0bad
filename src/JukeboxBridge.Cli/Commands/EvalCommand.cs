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
        var prompts = new Option<int>("--prompts") { Description = "held-out prompts to continue (one batch)", DefaultValueFactory = _ => 10 };
        var promptSeconds = new Option<double>("--prompt-seconds") { DefaultValueFactory = _ => 6, Description = "prompt length" };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 6, Description = "continuation length" };
        var stylePrompts = new Option<int>("--style-prompts") { DefaultValueFactory = _ => 4, Description = "prompts for the style-conditioning check" };
        var windows = new Option<int>("--prior-windows") { DefaultValueFactory = _ => 24, Description = "held-out windows per prior level" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "sampling seed" };
        var vqvaeOnly = new Option<bool>("--vqvae-only") { Description = "only the VQ-VAE's reconstruction (quick; e.g. while the priors are not trained yet)" };
        var musicalOnly = new Option<bool>("--musical-only") { Description = "only the continuation checks (key, tempo, style); skips the VQ-VAE and prior measurements" };
        var upsamplerOnly = new Option<bool>("--upsampler-only") { Description = "only the upsamplers under true upper-level codes (spectral convergence, conditioning gain, bits of their own samples)" };
        var temperature = new Option<string?>("--temperature") { Description = "sampling temperature for the continuations: one value, or one per level bottom to top; default: the bundle's" };
        var topK = new Option<int>("--top-k") { Description = "top-k for the continuations (0: off)" };
        var topP = new Option<double>("--top-p") { Description = "nucleus sampling for the continuations (0: off)" };
        var cmd = new Command("eval", "Measure a model on held-out pieces: VQ-VAE reconstruction, prior bits per code, key/tempo agreement of continuations, style conditioning")
            { model, data, json, prompts, promptSeconds, seconds, stylePrompts, windows, seed, vqvaeOnly, musicalOnly, upsamplerOnly, temperature, topK, topP };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            string spec = ModelBundle.ResolveSpec(r.GetValue(model));
            string dir = r.GetValue(data) ?? SyntheticHeldout(ctx);
            using var bundle = ModelBundle.Load(spec);
            var sw = Stopwatch.StartNew();
            if (r.GetValue(vqvaeOnly))
            {
                var (sc, mr, kp) = ModelEvaluator.RunVqvae(bundle, new EvalOptions { DataDir = dir }, ctx.Err.WriteLine);
                if (r.GetValue(json))
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
                MusicalOnly = r.GetValue(musicalOnly),
                Sampling = new MusicalChecks.SamplingOverrides(JobOptions.Doubles(r.GetValue(temperature), "--temperature"), r.GetValue(topK), r.GetValue(topP)),
            }, bar.Message, new CallbackProgress<JobProgress>(bar.Update));
            ctx.Err.WriteLine($"evaluated in {sw.Elapsed.TotalMinutes:F1} min");
            if (r.GetValue(json)) { ctx.Out.WriteLine(report.ToJson()); return 0; }
            ctx.Out.WriteLine($"model: {report.Model}");
            ctx.Out.WriteLine($"VQ-VAE spectral convergence  l0 {report.VqvaeSpectralConvergenceL0:F3}  l1 {report.VqvaeSpectralConvergenceL1:F3}  l2 {report.VqvaeSpectralConvergenceL2:F3}");
            ctx.Out.WriteLine($"VQ-VAE multi-res STFT        l0 {report.VqvaeMrstftL0:F3}  l1 {report.VqvaeMrstftL1:F3}  l2 {report.VqvaeMrstftL2:F3}");
            ctx.Out.WriteLine($"VQ-VAE key preserved         l0 {report.VqvaeKeyPreservedL0:P0}  l1 {report.VqvaeKeyPreservedL1:P0}  l2 {report.VqvaeKeyPreservedL2:P0}");
            ctx.Out.WriteLine($"prior bits per code          l0 {report.PriorBitsPerTokenL0:F2}  l1 {report.PriorBitsPerTokenL1:F2}  l2 {report.PriorBitsPerTokenL2:F2}  (uniform {report.UniformBits:F0}; top gain {report.PriorBitsGainTop:F2})");
            ctx.Out.WriteLine($"key agreement                {report.KeyAgreement:P0} (chance {report.KeyChance:P1}; key estimator right on {report.PromptKeyAccuracy:P0} of prompts; top level alone {report.KeyAgreementTopLevel:P0})");
            ctx.Out.WriteLine($"tempo agreement              {report.TempoAgreement:P0} (chance {report.TempoChance:P0})");
            ctx.Out.WriteLine($"style moves tempo / timbre   {report.StyleTempoDirection:P0} / {report.StyleTimbreDirection:P0} of prompts the labelled way");
            return 0;
        }));
        return cmd;
    }

    /// <summary>
    /// Unseen synthetic pieces: 30 pieces of 30 s from generator seed 1 (the default model trained on seed 0), every
    /// genre and artist, all held out; generated once into the user's cache.
    /// </summary>
    private static string SyntheticHeldout(CliContext ctx)
    {
        string cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        string dir = Path.Combine(cache, "jukeboxbridge", "synth-test-s1-n30-p30");
        if (!File.Exists(Path.Combine(dir, "metadata.json")))
        {
            ctx.Err.WriteLine($"generating 30 unseen synthetic pieces (seed 1) into {dir} ...");
            SynthDataset.Write(dir, hours: 30 * 30.0 / 3600, pieceSeconds: 30, seed: 1, heldoutEvery: 1);
        }
        return dir;
    }
}
