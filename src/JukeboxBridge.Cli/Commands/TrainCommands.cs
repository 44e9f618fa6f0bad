using JukeboxBridge.Errors;
using System.CommandLine;
using JukeboxBridge.Training;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox train vqvae: trains a VQ-VAE on a folder of audio, resumable, with checkpoints and a loss curve.</summary>
public static class TrainCommands
{
    public static Command Create(CliContext ctx)
    {
        var train = new Command("train", "Train models on your own audio");
        train.Subcommands.Add(Vqvae(ctx));
        train.Subcommands.Add(Prior(ctx));
        return train;
    }

    private static Command Prior(CliContext ctx)
    {
        var data = new Option<string>("--data") { Description = "labelled dataset folder (metadata.json with train/heldout pieces; see `jukebox dataset synth`)", Required = true };
        var vqvae = new Option<string>("--vqvae") { Description = "the trained VQ-VAE checkpoint whose codes the prior learns (e.g. RUN/vqvae.safetensors)", Required = true };
        var level = new Option<int>("--level") { Description = "2: top prior; 1, 0: upsamplers conditioned on the level above", Required = true };
        var preset = new Option<string?>("--preset") { Description = "prior preset (default: default_top / default_upsampler_level_1 / default_upsampler_level_0)" };
        var ids = new Option<string?>("--ids") { Description = "artist/genre id tables for labelled priors (default: presets/ids/default)" };
        var output = new Option<string>("--out") { Description = "output folder: checkpoint.safetensors (resume), prior.safetensors, losses.csv, loss.png, cached codes", Required = true };
        var steps = new Option<long>("--steps") { Description = "total steps to reach (a resumed run continues to this)", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { Description = "windows per step", DefaultValueFactory = _ => 8 };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate", DefaultValueFactory = _ => 3e-4 };
        var warmup = new Option<int>("--warmup") { Description = "linear learning-rate warm-up steps", DefaultValueFactory = _ => 100 };
        var clip = new Option<double>("--clip") { Description = "gradient-norm clip", DefaultValueFactory = _ => 1.0 };
        var decay = new Option<double>("--weight-decay") { Description = "AdamW weight decay", DefaultValueFactory = _ => 0.01 };
        var ema = new Option<double>("--ema") { Description = "decay of the weights' moving average saved as the prior (0: off)", DefaultValueFactory = _ => 0.999 };
        var saveEvery = new Option<int>("--save-every") { Description = "steps between checkpoints (and held-out measurements)", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "random seed (weights, batches)", DefaultValueFactory = _ => 0 };
        var init = new Option<string?>("--init") { Description = "start from these prior weights (e.g. a bundle's prior_level_1.safetensors) with a fresh optimiser; ignored when resuming" };
        var cmd = new Command("prior", "Train a prior level on VQ-VAE codes (cross-entropy; labels; upsampler conditioning); rerun the same command to resume")
            { data, vqvae, level, preset, ids, output, steps, batch, lr, warmup, clip, decay, ema, saveEvery, seed, init };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            int l = r.GetValue(level);
            if (l is < 0 or > 2) throw new UserInputException("--level", "--level is 0, 1 or 2");
            string presetName = r.GetValue(preset) ?? (l == 2 ? "default_top" : $"default_upsampler_level_{l}");
            string defaultIds = Path.Combine(JukeboxBridge.Model.Presets.ModelPreset.Root, "ids", "default");
            var options = new PriorTrainingOptions
            {
                DataDir = r.GetValue(data)!, OutDir = r.GetValue(output)!, Vqvae = r.GetValue(vqvae)!, Preset = presetName,
                IdsDir = r.GetValue(ids) ?? (Directory.Exists(defaultIds) ? defaultIds : null),
                Steps = r.GetValue(steps), BatchSize = r.GetValue(batch), LearningRate = r.GetValue(lr), WarmupSteps = r.GetValue(warmup),
                ClipNorm = r.GetValue(clip), WeightDecay = r.GetValue(decay), EmaDecay = r.GetValue(ema) > 0 ? r.GetValue(ema) : null,
                SaveEvery = Math.Max(1, r.GetValue(saveEvery)), Seed = r.GetValue(seed), InitWeights = r.GetValue(init),
            };
            if (options.InitWeights is { } w && !File.Exists(w)) throw new FileNotFoundException($"--init: no such file: {w}", w);
            if (options.BatchSize < 1 || options.Steps < 1) throw new UserInputException("--steps", "--batch and --steps must be positive");
            var bar = new ProgressBar(ctx.Err);
            using var trainer = new PriorTrainer(options, bar.Message);
            if (trainer.Options.Level != l) throw new UserInputException("--preset", $"preset {presetName} is a level-{trainer.Options.Level} prior, not level {l}");
            RunTraining(ctx, bar, (progress, cancel) => trainer.Run(progress, cancel), p =>
                $"bits {p.Metrics["bits_per_token"]:F3}" + (p.Metrics.TryGetValue("heldout_bits", out var h) ? $" held-out {h:F3}" : ""));
            ctx.Err.WriteLine($"done at step {trainer.Step}: {Path.Combine(options.OutDir, PriorTrainer.WeightsName)}, loss curve {Path.Combine(options.OutDir, "loss.png")}");
            return 0;
        }));
        return cmd;
    }

    /// <summary>Runs a trainer with a progress bar; Ctrl+C stops after the current step and saves.</summary>
    private static void RunTraining(CliContext ctx, ProgressBar bar, Action<Action<TrainingProgress>, CancellationToken> run, Func<TrainingProgress, string> status)
    {
        using var stop = new StopSignal(bar);
        run(p =>
        {
            bar.Update(p.Step, p.TotalSteps, status(p), p.SecondsPerStep);
            if (p.Saved != null) bar.Message($"step {p.Step}: {status(p)}; saved {p.Saved}");
        }, stop.Token);
    }

    /// <summary>
    /// Ctrl+C, SIGINT or SIGTERM (a `kill`, a service manager stopping the run) cancels training after the current step,
    /// which then saves a checkpoint. A background job started from a script ignores SIGINT, so SIGTERM is the way to
    /// stop one cleanly.
    /// </summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly System.Runtime.InteropServices.PosixSignalRegistration[] _signals;
        public CancellationToken Token => _cts.Token;

        public StopSignal(ProgressBar bar)
        {
            _signals = new[] { System.Runtime.InteropServices.PosixSignal.SIGINT, System.Runtime.InteropServices.PosixSignal.SIGTERM }
                .Select(sig => System.Runtime.InteropServices.PosixSignalRegistration.Create(sig, ctx =>
                {
                    ctx.Cancel = true;
                    if (!_cts.IsCancellationRequested) bar.Message("stopping after this step; saving a checkpoint...");
                    _cts.Cancel();
                })).ToArray();
        }

        public void Dispose()
        {
            foreach (var s in _signals) s.Dispose();
            _cts.Dispose();
        }
    }

    private static Command Vqvae(CliContext ctx)
    {
        var data = new Option<string>("--data") { Description = "folder of audio files (any format ffmpeg or the WAV reader takes; resampled to the model's rate, mono)", Required = true };
        var preset = new Option<string>("--preset") { Description = "model preset in presets/models (ignored when resuming)", DefaultValueFactory = _ => "vqvae_tiny" };
        var output = new Option<string>("--out") { Description = "output folder: checkpoint.safetensors (resume), vqvae.safetensors, losses.csv, loss.png", Required = true };
        var steps = new Option<long>("--steps") { Description = "total steps to reach (a resumed run continues to this)", DefaultValueFactory = _ => 1000 };
        var batch = new Option<int>("--batch") { Description = "crops per step", DefaultValueFactory = _ => 4 };
        var crop = new Option<double>("--crop-seconds") { Description = "length of each random crop", DefaultValueFactory = _ => 0.75 };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => 3e-4 };
        var warmup = new Option<int>("--warmup") { Description = "linear learning-rate warm-up steps", DefaultValueFactory = _ => 100 };
        var saveEvery = new Option<int>("--save-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "random seed (weights, crops, codebook restarts)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("vqvae", "Train a VQ-VAE (reference losses, EMA codebooks with restarts); rerun the same command to resume")
            { data, preset, output, steps, batch, crop, lr, warmup, saveEvery, seed };
        cmd.SetAction(r => ctx.Guard(() =>
        {
            var bar = new ProgressBar(ctx.Err);
            var options = new VqvaeTrainingOptions
            {
                DataDir = r.GetValue(data)!, OutDir = r.GetValue(output)!, Preset = r.GetValue(preset)!,
                Steps = r.GetValue(steps), BatchSize = r.GetValue(batch), CropSeconds = r.GetValue(crop),
                LearningRate = r.GetValue(lr), WarmupSteps = r.GetValue(warmup), SaveEvery = Math.Max(1, r.GetValue(saveEvery)), Seed = r.GetValue(seed),
            };
            if (options.BatchSize < 1 || options.Steps < 1 || options.CropSeconds <= 0) throw new UserInputException("--steps", "--batch, --steps and --crop-seconds must be positive");
            using var trainer = new VqvaeTrainer(options, bar.Message);
            RunTraining(ctx, bar, (progress, cancel) => trainer.Run(progress, cancel),
                p => $"loss {p.Loss:G4} recons {p.Metrics["recons_loss"]:G3} usage {p.Metrics["usage"]:F0}");
            ctx.Err.WriteLine($"done at step {trainer.Step}: {Path.Combine(options.OutDir, VqvaeTrainer.WeightsName)} (use with --model), loss curve {Path.Combine(options.OutDir, "loss.png")}");
            return 0;
        }));
        return cmd;
    }
}
