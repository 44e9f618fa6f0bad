using JukeboxBridge.Errors;
using System.Diagnostics;
using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Checkpoints.Safetensors;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Vqvae;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Training;

/// <summary>Settings of `jukebox train vqvae`.</summary>
public sealed record VqvaeTrainingOptions
{
    public required string DataDir { get; init; }
    public required string OutDir { get; init; }
    public string Preset { get; init; } = "vqvae_tiny";
    public long Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 4;
    public double CropSeconds { get; init; } = 0.75;
    public double LearningRate { get; init; } = 3e-4;
    public int WarmupSteps { get; init; } = 100;
    public double ClipNorm { get; init; } = 100;
    public int SaveEvery { get; init; } = 100;
    public int Seed { get; init; }
}

/// <summary>
/// Trains a VQ-VAE as the reference does (lmix + multispectral + commitment loss, EMA codebooks with
/// random restarts) with Adam, from random crops of a folder of audio. Resumable: OUT/checkpoint.safetensors
/// holds weights, optimiser and codebook state and the step; every step's randomness derives from
/// (seed, step), so an interrupted run continues exactly as an uninterrupted one.
/// Writes OUT/vqvae.safetensors (loadable by --model), OUT/losses.csv and OUT/loss.png at every save.
/// </summary>
public sealed class VqvaeTrainer : IDisposable, ISteppedTrainer
{
    public const string CheckpointName = "checkpoint.safetensors";
    public const string WeightsName = "vqvae.safetensors";
    private static readonly string[] LogColumns = { "loss", "recons_loss", "multispectral_loss", "commit_loss", "l2_loss", "entropy", "usage" };

    private readonly VqvaeTrainingOptions _o;
    private readonly Action<string> _log;
    private readonly VQVAE _model;
    private readonly VqvaeLossOptions _loss;
    private readonly CodebookTrainer[] _codebooks;
    private readonly Adam _adam;
    private readonly AudioCorpus _corpus;
    private readonly int _cropSamples;
    private long _step;

    public long Step => _step;
    public VQVAE Model => _model;

    public VqvaeTrainer(VqvaeTrainingOptions o, Action<string>? log = null)
    {
        _o = o;
        _log = log ?? (_ => { });
        Directory.CreateDirectory(o.OutDir);
        string ckpt = Path.Combine(o.OutDir, CheckpointName);
        CheckpointFile? resume = File.Exists(ckpt) ? CheckpointFile.Open(ckpt) : null;
        try
        {
            VqvaeOptions vq;
            if (resume != null)
            {
                vq = VqvaeOptions.FromJson(JsonDocument.Parse((string)resume.Metadata.Get("jukebox.vqvae_options")!).RootElement, ckpt);
                _loss = JsonSerializer.Deserialize<VqvaeLossOptions>((string)resume.Metadata.Get("jukebox.loss_options")!)!;
            }
            else
            {
                var preset = ModelPreset.Load(o.Preset);
                vq = preset.Vqvae ?? throw new ModelInputException("preset", $"preset '{o.Preset}' has no vqvae section");
                _loss = preset.VqvaeLoss ?? new VqvaeLossOptions();
            }
            using (JukeboxBridge.Model.ModelInit.Seeded(o.Seed)) _model = new VQVAE(vq);
            _model.train();
            _cropSamples = Math.Max(vq.LengthMultiple, (int)(o.CropSeconds * vq.SampleRate) / vq.LengthMultiple * vq.LengthMultiple);
            _corpus = new AudioCorpus(o.DataDir, vq.SampleRate, _cropSamples, _log);
            _log($"data: {_corpus.Paths.Count} files, {_corpus.TotalSeconds:F1} s at {vq.SampleRate} Hz; crops of {_cropSamples} samples, batch {o.BatchSize}");
            _codebooks = Enumerable.Range(0, vq.Levels).Select(l => new CodebookTrainer(_model.CodebookOf(l), vq.Mu, null)).ToArray();
            _adam = new Adam(_model.named_parameters().Select(p => (p.name, p.parameter)));
            if (resume != null) Restore(resume);
            else _loss = _loss with { Bandwidth = MeasureBandwidth() };
        }
        finally { resume?.Dispose(); }
    }

    /// <summary>The reference's dataset statistics the losses divide by: mean |x|, variance, mean STFT norm.</summary>
    private Bandwidth MeasureBandwidth()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(_o.Seed);
        int n = Math.Max(1, Math.Min(64, (int)(_corpus.TotalSeconds * _corpus.SampleRate / _cropSamples)));
        var x = tensor(_corpus.Crops(rng, n, _cropSamples)).view(n, _cropSamples);
        double l1 = x.abs().mean().item<float>(), l2 = x.var().item<float>();
        double spec = VqvaeLosses.Norm(VqvaeLosses.Spec(x, VqvaeLossOptions.SpectralSettings)).mean().item<float>();
        var bw = new Bandwidth { L1 = Math.Max(l1, 1e-4), L2 = Math.Max(l2, 1e-6), Spec = Math.Max(spec, 1e-3) };
        _log($"bandwidth (from {n} crops): l1 {bw.L1:G4}, l2 {bw.L2:G4}, spec {bw.Spec:G4}");
        return bw;
    }

    /// <summary>Runs until <see cref="VqvaeTrainingOptions.Steps"/> steps are done (or cancelled; then saves).</summary>
    /// <summary>Trains until the step count is reached or <paramref name="cancel"/> fires (then saves); <paramref name="onProgress"/> hears every step.</summary>
    public void Run(Action<TrainingProgress>? onProgress = null, CancellationToken cancel = default) =>
        TrainingLoop.Run(this, new LossLog(_o.OutDir, LogColumns), _o.Steps, _o.SaveEvery, _o.OutDir, onProgress, cancel);

    void ISteppedTrainer.AddCheckpointMetrics(Dictionary<string, double> metrics) { }

    /// <summary>One optimiser step on a batch drawn from this step's seed; the step count goes up by one.</summary>
    Dictionary<string, double> ISteppedTrainer.NextStep()
    {
        using var quiet = JukeboxBridge.Model.GcQuiet.Begin(64L << 20);
        using var scope = NewDisposeScope();
        var rng = new Random(JukeboxBridge.Model.Seeds.MixInt(_o.Seed, _step));
        var x = tensor(_corpus.Crops(rng, _o.BatchSize, _cropSamples)).view(_o.BatchSize, _cropSamples, 1);
        var gen = new Generator((ulong)(_o.Seed * 1_000_003L + _step + 1));
        var random = new TorchCodebookRandom(gen);
        var quantiserKeys = new[] { "entropy", "usage", "used_curr", "dk" };
        var quantiser = quantiserKeys.ToDictionary(k => k, _ => 0.0);
        QuantiseResult Quantise(int level, Tensor z)
        {
            var s = WithRandom(_codebooks[level], random).Step(z);   // its tensors live in this step's scope
            foreach (var key in quantiserKeys) quantiser[key] += s.Metrics[key].to_type(ScalarType.Float32).item<float>() / _model.Levels;
            return new QuantiseResult(s.Codes, s.Quantised, s.CommitLoss, s.Metrics["fit"], s.Metrics["pn"]);
        }
        using var fwd = VqvaeForward.Run(_model, x, _loss, Quantise);
        double lr = TrainingLoop.LearningRate(_o.LearningRate, _step, _o.WarmupSteps);
        var (gradNorm, _) = TrainingLoop.Optimise(_adam, fwd.Loss, _o.ClipNorm, lr, _step, _log);

        var m = fwd.Metrics.ToDictionary(kv => kv.Key, kv => (double)kv.Value.to_type(ScalarType.Float32).item<float>());
        m["loss"] = fwd.Loss.item<float>();
        foreach (var (key, v) in quantiser) m[key] = v;
        m["grad_norm"] = gradNorm;
        m["lr"] = lr;
        _step++;
        return m;
    }

    private static CodebookTrainer WithRandom(CodebookTrainer t, ICodebookRandom r)
    {
        t.Random = r;
        return t;
    }

    void ISteppedTrainer.Save(LossLog lossLog)
    {
        var tensors = new List<TensorToWrite>();
        foreach (var (name, t) in _model.state_dict()) tensors.Add(TorchTensors.ToWrite("model/" + name, t));
        foreach (var (name, t) in _adam.State()) tensors.Add(TorchTensors.ToWrite("opt/" + name, t));
        for (int l = 0; l < _codebooks.Length; l++)
        {
            tensors.Add(TorchTensors.ToWrite($"codebook/{l}/k_sum", _codebooks[l].KSum));
            tensors.Add(TorchTensors.ToWrite($"codebook/{l}/k_elem", _codebooks[l].KElem));
        }
        var meta = new Dictionary<string, string>
        {
            ["jukebox.kind"] = "vqvae_training",
            ["jukebox.step"] = _step.ToString(),
            ["jukebox.adam_step"] = _adam.Step.ToString(),
            ["jukebox.vqvae_options"] = JsonSerializer.Serialize(_model.Options),
            ["jukebox.loss_options"] = JsonSerializer.Serialize(_loss),
            ["jukebox.codebooks"] = JsonSerializer.Serialize(_codebooks.Select(c => new { threshold = c.Threshold, initialised = c.Initialised })),
            ["jukebox.seed"] = _o.Seed.ToString(),
        };
        SafetensorsWriter.Write(Path.Combine(_o.OutDir, CheckpointName), tensors, meta);
        VqvaeLoader.Save(_model, Path.Combine(_o.OutDir, WeightsName), new Dictionary<string, string> { ["jukebox.step"] = _step.ToString() });
        lossLog.Plot(Path.Combine(_o.OutDir, "loss.png"), $"VQ-VAE training (step {_step})", "loss", "recons_loss", "multispectral_loss", "commit_loss");
    }

    private void Restore(CheckpointFile f)
    {
        var model = StateDictLoader.WithPrefix(f, "model/");
        StateDictLoader.Load(_model, model, strict: true, f.Path);
        _step = long.Parse((string)f.Metadata.Get("jukebox.step")!);
        var opt = StateDictLoader.WithPrefix(f, "opt/");
        _adam.LoadState(long.Parse((string)f.Metadata.Get("jukebox.adam_step")!), name => opt.TryGetValue(name, out var t) ? t.ToTorch() : null);
        var cb = JsonDocument.Parse((string)f.Metadata.Get("jukebox.codebooks")!).RootElement.EnumerateArray().ToArray();
        for (int l = 0; l < _codebooks.Length; l++)
        {
            using var kSum = f[$"codebook/{l}/k_sum"].ToTorch();
            using var kElem = f[$"codebook/{l}/k_elem"].ToTorch();
            _codebooks[l].Load(kSum, kElem, cb[l].GetProperty("threshold").GetDouble(), cb[l].GetProperty("initialised").GetBoolean());
        }
        _log($"resumed from {f.Path} at step {_step}");
    }

    public void Dispose()
    {
        foreach (var c in _codebooks) c.Dispose();
        _adam.Dispose();
        _model.Dispose();
    }
}
