using JukeboxBridge.Errors;
using TorchSharp;
using System.Diagnostics;
using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Labels;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>What `jukebox train prior` trains, on what, and how.</summary>
public sealed record PriorTrainingOptions
{
    /// <summary>Labelled dataset folder (metadata.json with train / heldout splits).</summary>
    public required string DataDir { get; init; }
    public required string OutDir { get; init; }
    /// <summary>The trained VQ-VAE whose codes the prior models (checkpoint path, or a preset for random weights).</summary>
    public required string Vqvae { get; init; }
    public string Preset { get; init; } = "default_top";
    /// <summary>The prior's shape given directly (instead of <see cref="Preset"/>), e.g. by tests.</summary>
    public PriorOptions? Prior { get; init; }
    /// <summary>Folder with the v2 artist/genre id tables, for labelled priors.</summary>
    public string? IdsDir { get; init; }
    public long Steps { get; init; } = 2000;
    public int BatchSize { get; init; } = 8;
    public double LearningRate { get; init; } = 3e-4;
    public int WarmupSteps { get; init; } = 100;
    public double ClipNorm { get; init; } = 1.0;
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>Exponential moving average of the weights (saved as the prior's weights); null: off.</summary>
    public double? EmaDecay { get; init; } = 0.999;
    public int SaveEvery { get; init; } = 100;
    public int Seed { get; init; }
    /// <summary>A prior's weights (prior.safetensors, or a bundle's file) to start from with a fresh optimiser, when
    /// there is no checkpoint to resume: fine-tuning, or training on from weights that moved to another machine.</summary>
    public string? InitWeights { get; init; }
}

/// <summary>
/// Trains one prior level (top prior, or an upsampler conditioned on the level above) with teacher-forced cross-entropy
/// on VQ-VAE codes of a labelled dataset: AdamW, linear warm-up, gradient clipping, optional weight EMA. The same
/// SimplePrior module code as inference. Checkpoints (weights, optimiser, EMA, step) resume exactly; prior.safetensors
/// is what bundles load; losses.csv / loss.png log training and held-out bits per token.
/// </summary>
public sealed class PriorTrainer : IDisposable, ISteppedTrainer
{
    public const string CheckpointName = "checkpoint.safetensors";
    public const string WeightsName = "prior.safetensors";
    private static readonly string[] LogColumns = { "loss", "bits_per_token", "heldout_bits", "grad_norm", "lr" };

    private readonly PriorTrainingOptions _o;
    private readonly Action<string> _log;
    private readonly SimplePrior _prior;
    private readonly Adam _adam;
    private readonly Dictionary<string, Tensor>? _ema;
    private readonly PriorCorpus _train, _heldout;
    private readonly Labeller? _labeller;
    private long _step;

    public long Step => _step;
    public SimplePrior Prior => _prior;
    public PriorOptions Options => _prior.Options;

    public PriorTrainer(PriorTrainingOptions o, Action<string>? log = null)
    {
        _o = o;
        _log = log ?? (_ => { });
        Directory.CreateDirectory(o.OutDir);
        string ckpt = Path.Combine(o.OutDir, CheckpointName);
        using var resume = File.Exists(ckpt) ? CheckpointFile.Open(ckpt) : null;
        var po = resume is not null
            ? JsonSerializer.Deserialize<PriorOptions>((string)resume.Metadata.Get("jukebox.prior_options")!)!
            : o.Prior ?? ModelPreset.Load(o.Preset).Prior ?? throw new ModelInputException("preset", $"preset '{o.Preset}' has no prior section");
        using (var vq = VqvaeLoader.Load(o.Vqvae))
        {
            if (vq.Model.Options.LBins != po.LBins || vq.Model.HopLengths[po.Level] != po.RawToTokens)
                throw new ModelInputException("--vqvae", $"the level-{po.Level} prior expects {po.LBins} codes at hop {po.RawToTokens}; the VQ-VAE has {vq.Model.Options.LBins} at hop {vq.Model.HopLengths[po.Level]}");
            string file = File.Exists(o.Vqvae) ? o.Vqvae : throw new FileNotFoundException($"--vqvae must be a trained checkpoint file: {o.Vqvae}", o.Vqvae);
            _train = new PriorCorpus(o.DataDir, "train", vq.Model, file, o.OutDir, _log, fromLevel: po.Level);
            _heldout = new PriorCorpus(o.DataDir, "heldout", vq.Model, file, o.OutDir, _log, fromLevel: po.Level);
        }
        if (po.Labels && po.MinDuration is double lo && po.MaxDuration is double hi)
            foreach (var (entry, samples) in _train.Entries.Zip(_train.PieceSamples).Concat(_heldout.Entries.Zip(_heldout.PieceSamples)))
                if (samples < lo * po.SampleRate || samples >= hi * po.SampleRate)
                    throw new UserInputException("--data", $"{entry.File} is {samples / (double)po.SampleRate:F2} s long, outside the prior's timing range [{lo:G}, {hi:G}) s (min_duration/max_duration of its preset)");
        if (po.Labels)
        {
            if (o.IdsDir is null) throw new UserInputException("--ids", "this prior is labelled: give --ids (the artist/genre id tables of the dataset)");
            _labeller = new Labeller(StyleTable.Load(o.IdsDir, "v2"), po.MaxBowGenreSize ?? 1, 0, po.SampleLength, null);
        }
        using (JukeboxBridge.Model.ModelInit.Seeded(o.Seed)) _prior = new SimplePrior(po);
        _prior.train();
        _adam = new Adam(_prior.named_parameters().Select(p => (p.name, p.parameter))) { WeightDecay = o.WeightDecay, Beta2 = 0.95 };
        if (o.EmaDecay is not null)
            _ema = _prior.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone().DetachFromDisposeScope());
        _log($"level-{po.Level} prior: {_prior.parameters().Sum(p => p.numel()):N0} parameters, context {po.NCtx} codes ({po.SampleLength / (double)po.SampleRate:F2} s); " +
             $"data: {_train.Entries.Count} pieces ({_train.TotalSeconds / 60:F1} min), held out {_heldout.Entries.Count}");
        if (resume is not null) Restore(resume);
        else if (o.InitWeights is not null) Initialise(o.InitWeights);
    }

    /// <summary>Starts from saved weights (step 0, fresh optimiser); the EMA starts from them too.</summary>
    private void Initialise(string path)
    {
        StateDictLoader.LoadFile(_prior, path, strict: true);
        if (_ema is not null)
            foreach (var (name, p) in _prior.named_parameters()) { _ema[name].Dispose(); _ema[name] = p.detach().clone().DetachFromDisposeScope(); }
        _log($"starting from the weights in {path} (fresh optimiser)");
    }

    /// <summary>Trains until the step count is reached or <paramref name="cancel"/> fires (then saves); <paramref name="onProgress"/> hears every step.</summary>
    public void Run(Action<TrainingProgress>? onProgress = null, CancellationToken cancel = default) =>
        TrainingLoop.Run(this, new LossLog(_o.OutDir, LogColumns), _o.Steps, _o.SaveEvery, _o.OutDir, onProgress, cancel);

    void ISteppedTrainer.AddCheckpointMetrics(Dictionary<string, double> metrics) => metrics["heldout_bits"] = HeldoutBits(32);

    /// <summary>One optimiser step on a batch drawn from this step's seed; the step count goes up by one.</summary>
    Dictionary<string, double> ISteppedTrainer.NextStep()
    {
        using var quiet = GcQuiet.Begin(64L << 20);
        using var scope = NewDisposeScope();
        var rng = new Random(Seeds.MixInt(_o.Seed, _step));
        using var batch = _train.Sample(rng, _o.BatchSize, Options, _labeller);
        using var fwd = _prior.Forward(batch.Codes, batch.Labels, batch.Upper);
        double lr = TrainingLoop.LearningRate(_o.LearningRate, _step, _o.WarmupSteps);
        var (gradNorm, updated) = TrainingLoop.Optimise(_adam, fwd.Loss, _o.ClipNorm, lr, _step, _log);
        if (updated) UpdateEma();
        _step++;
        return new Dictionary<string, double>
        {
            ["loss"] = fwd.Loss.item<float>(), ["bits_per_token"] = fwd.GenLoss.item<float>(), ["grad_norm"] = gradNorm, ["lr"] = lr,
        };
    }

    private void UpdateEma()
    {
        if (_ema is null) return;
        using var noGrad = no_grad();
        double d = Math.Min(_o.EmaDecay!.Value, (1.0 + _step) / (10.0 + _step));   // short memory early on
        using var keep = d.ToScalar();                                                // explicit Scalars: see Adam.Update
        using var mix = (1 - d).ToScalar();
        foreach (var (name, p) in _prior.named_parameters()) _ema[name].mul_(keep).add_(p, alpha: mix);
    }

    /// <summary>Mean bits per code on up to <paramref name="windows"/> held-out windows spread over the held-out pieces (EMA weights when kept).</summary>
    public double HeldoutBits(int windows)
    {
        using var swap = new EmaSwap(this);
        return PriorEvaluation.BitsPerToken(_prior, _heldout, _labeller, windows);
    }

    void ISteppedTrainer.Save(LossLog lossLog)
    {
        var tensors = new List<TensorToWrite>();
        foreach (var (name, t) in _prior.state_dict()) tensors.Add(TorchTensors.ToWrite("model/" + name, t));
        foreach (var (name, t) in _adam.State()) tensors.Add(TorchTensors.ToWrite("opt/" + name, t));
        if (_ema is not null) foreach (var (name, t) in _ema) tensors.Add(TorchTensors.ToWrite("ema/" + name, t));
        var meta = new Dictionary<string, string>
        {
            ["jukebox.kind"] = "prior_training", ["jukebox.step"] = _step.ToString(), ["jukebox.adam_step"] = _adam.Step.ToString(),
            ["jukebox.prior_options"] = JsonSerializer.Serialize(Options), ["jukebox.seed"] = _o.Seed.ToString(),
        };
        string ckpt = Path.Combine(_o.OutDir, CheckpointName);
        SafetensorsWriter.Write(ckpt, tensors, meta);
        using (new EmaSwap(this))
        {
            string weights = Path.Combine(_o.OutDir, WeightsName);
            SafetensorsWriter.Write(weights, _prior.state_dict().Select(kv => TorchTensors.ToWrite(kv.Key, kv.Value)),
                new Dictionary<string, string> { ["jukebox.kind"] = "prior", ["jukebox.step"] = _step.ToString(), ["jukebox.prior_options"] = JsonSerializer.Serialize(Options) });
        }
        lossLog.Plot(Path.Combine(_o.OutDir, "loss.png"), $"level-{Options.Level} prior training (step {_step}), bits per code", "bits_per_token", "heldout_bits");
    }

    private void Restore(CheckpointFile f)
    {
        StateDictLoader.Load(_prior, StateDictLoader.WithPrefix(f, "model/"), strict: true, f.Path);
        _step = long.Parse((string)f.Metadata.Get("jukebox.step")!);
        var opt = StateDictLoader.WithPrefix(f, "opt/");
        _adam.LoadState(long.Parse((string)f.Metadata.Get("jukebox.adam_step")!), name => opt.TryGetValue(name, out var t) ? t.ToTorch() : null);
        if (_ema is not null)
        {
            var ema = StateDictLoader.WithPrefix(f, "ema/");
            foreach (var name in _ema.Keys.ToList())
                if (ema.TryGetValue(name, out var t)) { _ema[name].Dispose(); _ema[name] = t.ToTorch().DetachFromDisposeScope(); }
        }
        _log($"resumed from {f.Path} at step {_step}");
    }

    /// <summary>Puts the EMA weights into the model for its lifetime (evaluation, saving), then the trained ones back.</summary>
    private sealed class EmaSwap : IDisposable
    {
        private readonly PriorTrainer _t;
        private readonly Dictionary<string, Tensor>? _saved;
        public EmaSwap(PriorTrainer t)
        {
            _t = t;
            if (t._ema is null) return;
            using var noGrad = no_grad();
            _saved = new();
            foreach (var (name, p) in t._prior.named_parameters())
            {
                _saved[name] = p.detach().clone().DetachFromDisposeScope();
                p.copy_(t._ema[name]);
            }
        }
        public void Dispose()
        {
            if (_saved is null) return;
            using var noGrad = no_grad();
            foreach (var (name, p) in _t._prior.named_parameters()) { p.copy_(_saved[name]); _saved[name].Dispose(); }
        }
    }

    public void Dispose()
    {
        _adam.Dispose();
        if (_ema is not null) foreach (var t in _ema.Values) t.Dispose();
        _train.Dispose();
        _heldout.Dispose();
        _prior.Dispose();
    }
}
