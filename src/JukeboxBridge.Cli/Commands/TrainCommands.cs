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
        return train;
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
            if (options.BatchSize < 1 || options.Steps < 1 || options.CropSeconds <= 0) throw new ArgumentException("--batch, --steps and --crop-seconds must be positive");
            using var trainer = new VqvaeTrainer(options, bar.Message);
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); bar.Message("stopping after this step; saving a checkpoint..."); };
            Console.CancelKeyPress += onCancel;
            try
            {
                trainer.Run(new JukeboxBridge.Sampling.CallbackProgress<TrainingProgress>(p =>
                {
                    bar.Update(p.Step, p.TotalSteps, $"loss {p.Loss:G4} recons {p.Metrics["recons_loss"]:G3} usage {p.Metrics["usage"]:F0}", p.SecondsPerStep);
                    if (p.Saved != null) bar.Message($"step {p.Step}: saved {Path.Combine(p.Saved, VqvaeTrainer.CheckpointName)}");
                }), cts.Token);
            }
            finally { Console.CancelKeyPress -= onCancel; }
            ctx.Err.WriteLine($"done at step {trainer.Step}: {Path.Combine(options.OutDir, VqvaeTrainer.WeightsName)} (use with --model), loss curve {Path.Combine(options.OutDir, "loss.png")}");
            return 0;
        }));
        return cmd;
    }
}
