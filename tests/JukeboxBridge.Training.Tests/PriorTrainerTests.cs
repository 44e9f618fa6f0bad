using JukeboxBridge.Errors;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Synth;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Training.Tests;

/// <summary>Prior training on a small synthetic dataset encoded by a random tiny VQ-VAE.</summary>
public class PriorTrainerTests
{
    private static (string Data, string Vqvae, string Ids) Setup(TempDir dir)
    {
        string data = Path.Combine(dir.Path, "data");
        SynthDataset.Write(data, hours: 15 * 3.0 / 3600, pieceSeconds: 3, seed: 1, heldoutEvery: 5);    // 15 pieces, 3 held out
        string vqvae = Path.Combine(dir.Path, "vqvae.safetensors");
        using (var vq = VqvaeLoader.Load("vqvae_tiny", seed: 3)) VqvaeLoader.Save(vq.Model, vqvae);
        string ids = Path.Combine(ModelPreset.Root, "ids", "default");
        return (data, vqvae, ids);
    }

    /// <summary>The tiny top prior, labelled with the synthetic dataset's artists and genres and a timing range around its pieces.</summary>
    private static PriorOptions LabelledTop() => ModelPreset.Load("prior_tiny_top").Prior! with
    {
        Labels = true, YBins = System.Text.Json.JsonDocument.Parse("[8, 8]").RootElement, TBins = 8, MaxBowGenreSize = 1, MinDuration = 1, MaxDuration = 10,
    };

    private static PriorTrainingOptions Options(string data, string vqvae, string ids, string outDir, long steps, PriorOptions prior) => new()
    {
        DataDir = data, Vqvae = vqvae, IdsDir = ids, OutDir = outDir, Prior = prior, Steps = steps, BatchSize = 4,
        LearningRate = 3e-3, WarmupSteps = 5, SaveEvery = 10, Seed = 5,
    };

    [Fact]
    public void A_labelled_top_prior_learns_and_resumes_to_the_same_weights()
    {
        using var dir = new TempDir();
        var (data, vqvae, ids) = Setup(dir);
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b");
        var losses = new List<double>();
        double heldoutBefore;
        using (var t = new PriorTrainer(Options(data, vqvae, ids, a, 40, LabelledTop())))
        {
            heldoutBefore = t.HeldoutBits(8);
            Assert.InRange(heldoutBefore, 6.5, 9.5);                                        // ~8 bits: 256 codes, untrained
            t.Run(p => losses.Add(p.Metrics["bits_per_token"]));
            Assert.True(t.HeldoutBits(8) < heldoutBefore - 0.5, $"held-out bits {t.HeldoutBits(8):F2} vs {heldoutBefore:F2} before training");
        }
        Assert.True(losses.TakeLast(5).Average() < losses.Take(5).Average() - 0.5, $"training bits {losses.Take(5).Average():F2} -> {losses.TakeLast(5).Average():F2}");
        Assert.True(File.Exists(Path.Combine(a, "loss.png")));
        Assert.Contains("heldout_bits", File.ReadLines(Path.Combine(a, "losses.csv")).First());

        // Interrupted at step 20 (a checkpoint), resumed by a new trainer: the same weights as the uninterrupted run.
        using (var t = new PriorTrainer(Options(data, vqvae, ids, b, 20, LabelledTop()))) t.Run();
        using (var t = new PriorTrainer(Options(data, vqvae, ids, b, 40, LabelledTop())))
        {
            Assert.Equal(20, t.Step);
            t.Run();
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, PriorTrainer.WeightsName)), File.ReadAllBytes(Path.Combine(b, PriorTrainer.WeightsName)));

        // The saved weights load into a plain prior by name.
        using var prior = new SimplePrior(LabelledTop());
        JukeboxBridge.Model.Checkpoints.StateDictLoader.LoadFile(prior, Path.Combine(a, PriorTrainer.WeightsName));
    }

    [Fact]
    public void An_upsampler_trains_on_windows_under_the_level_above()
    {
        using var dir = new TempDir();
        var (data, vqvae, ids) = Setup(dir);
        var o = ModelPreset.Load("upsampler_tiny_level_0").Prior!;
        using var t = new PriorTrainer(Options(data, vqvae, ids, Path.Combine(dir.Path, "up0"), 3, o));
        t.Run();
        Assert.Equal(3, t.Step);
        Assert.True(File.Exists(Path.Combine(dir.Path, "up0", PriorTrainer.WeightsName)));
        // The codes cache is reused by a second trainer (no re-encoding), and refuses another level's preset shape mismatch.
        Assert.Single(Directory.GetFiles(Path.Combine(dir.Path, "up0"), "codes-train-*.safetensors"));
        var tooShort = LabelledTop() with { MinDuration = 5 };                              // the pieces are 3 s
        Assert.Contains("outside the prior's timing range", Assert.Throws<UserInputException>(() => new PriorTrainer(Options(data, vqvae, ids, Path.Combine(dir.Path, "y"), 3, tooShort))).Message);
        var wrongBins = o with { LBins = 512 };
        Assert.Contains("512 codes", Assert.Throws<ModelInputException>(() => new PriorTrainer(Options(data, vqvae, ids, Path.Combine(dir.Path, "x"), 3, wrongBins))).Message);
    }

    [Fact]
    public void A_level_1_run_encodes_only_levels_1_and_2_its_cache_serves_the_top_prior_and_init_starts_from_given_weights()
    {
        using var dir = new TempDir();
        var (data, vqvae, ids) = Setup(dir);
        string up1 = Path.Combine(dir.Path, "up1"), top = Path.Combine(dir.Path, "top");
        var o1 = ModelPreset.Load("upsampler_tiny_level_1").Prior!;
        using (var t = new PriorTrainer(Options(data, vqvae, ids, up1, 2, o1))) t.Run();
        var cache = Assert.Single(Directory.GetFiles(up1, "codes-train-*.safetensors"));
        Assert.EndsWith("-from-level-1.safetensors", cache);
        using (var f = JukeboxBridge.Checkpoints.CheckpointFile.Open(cache))
        {
            Assert.DoesNotContain(f.Tensors, t => t.Name.EndsWith("/level_0"));
            Assert.Contains(f.Tensors, t => t.Name.EndsWith("/level_1"));
        }
        // The top prior reuses the level-1 cache copied beside it (no new encoding), and --init loads the weights
        // of another run with a fresh optimiser: its first held-out figure is the other run's, not an untrained one's.
        string a = Path.Combine(dir.Path, "a");
        using (var t = new PriorTrainer(Options(data, vqvae, ids, a, 30, LabelledTop()))) t.Run();
        Directory.CreateDirectory(top);
        foreach (var c in Directory.GetFiles(up1, "codes-*.safetensors")) File.Copy(c, Path.Combine(top, Path.GetFileName(c)));
        var log = new List<string>();
        using var started = new PriorTrainer(Options(data, vqvae, ids, top, 5, LabelledTop()) with { InitWeights = Path.Combine(a, PriorTrainer.WeightsName) }, log.Add);
        Assert.DoesNotContain(log, l => l.Contains("encoding"));
        Assert.Contains(log, l => l.Contains("fresh optimiser"));
        Assert.Equal(0, started.Step);
        using var trained = new PriorTrainer(Options(data, vqvae, ids, a, 30, LabelledTop()));
        Assert.Equal(trained.HeldoutBits(8), started.HeldoutBits(8), 4);
        using var fresh = new PriorTrainer(Options(data, vqvae, ids, Path.Combine(dir.Path, "fresh"), 5, LabelledTop()));
        Assert.True(fresh.HeldoutBits(8) > started.HeldoutBits(8) + 0.3, $"untrained {fresh.HeldoutBits(8):F2} vs initialised {started.HeldoutBits(8):F2}");
    }
}
