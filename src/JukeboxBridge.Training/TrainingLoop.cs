using System.Diagnostics;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>What a trainer gives <see cref="TrainingLoop"/>: one optimiser step at a time, and its checkpoint.</summary>
internal interface ISteppedTrainer
{
    /// <summary>Steps done (restored from a checkpoint on resume).</summary>
    long Step { get; }

    /// <summary>One optimiser step; afterwards <see cref="Step"/> is one more. Returns the step's metrics ("loss" at least).</summary>
    Dictionary<string, double> NextStep();

    /// <summary>Metrics measured only at checkpoints (e.g. held-out bits), added before the loss log gets the row.</summary>
    void AddCheckpointMetrics(Dictionary<string, double> metrics);

    /// <summary>Writes the checkpoint, the weights and the loss plot (the loss log already holds this step).</summary>
    void Save(LossLog lossLog);
}

/// <summary>
/// The loop both trainers share: steps until the last, every step a row of the loss log, a checkpoint every
/// <c>saveEvery</c> steps and at the last one, and one more when cancelled between checkpoints (Ctrl+C loses nothing).
/// On resume the loss log drops rows a crash left beyond the checkpoint.
/// </summary>
internal static class TrainingLoop
{
    public static void Run(ISteppedTrainer trainer, LossLog lossLog, long steps, int saveEvery, string outDir,
                           Action<TrainingProgress>? onProgress, CancellationToken cancel)
    {
        lossLog.TruncateAfter(trainer.Step);
        var sw = Stopwatch.StartNew();
        long startStep = trainer.Step;
        while (trainer.Step < steps && !cancel.IsCancellationRequested)
        {
            var metrics = trainer.NextStep();
            bool checkpoint = trainer.Step % saveEvery == 0 || trainer.Step == steps;
            if (checkpoint) trainer.AddCheckpointMetrics(metrics);
            lossLog.Append(trainer.Step, metrics);
            if (checkpoint) trainer.Save(lossLog);
            onProgress?.Invoke(new TrainingProgress(trainer.Step, steps, metrics["loss"], metrics,
                sw.Elapsed.TotalSeconds / (trainer.Step - startStep), checkpoint ? outDir : null));
        }
        if (cancel.IsCancellationRequested && trainer.Step % saveEvery != 0) trainer.Save(lossLog);
    }

    /// <summary>Linear warm-up over <paramref name="warmupSteps"/>, then constant (the reference's lr_warmup without decay).</summary>
    public static double LearningRate(double baseRate, long step, int warmupSteps) =>
        baseRate * Math.Min(1.0, (step + 1.0) / Math.Max(1, warmupSteps));

    /// <summary>
    /// Backward, gradient clipping and the Adam update; a step whose gradient norm is not finite is skipped (and said so).
    /// Returns the norm before clipping and whether the weights changed.
    /// </summary>
    public static (double GradNorm, bool Updated) Optimise(Adam adam, Tensor loss, double clipNorm, double learningRate, long step, Action<string> log)
    {
        adam.ZeroGrad();
        loss.backward();
        double gradNorm = adam.ClipGradNorm(clipNorm);
        if (!double.IsFinite(gradNorm))
        {
            log($"step {step + 1}: gradient norm is {gradNorm}; update skipped");
            return (gradNorm, false);
        }
        adam.Update(learningRate);
        return (gradNorm, true);
    }
}
