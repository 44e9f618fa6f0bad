using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Training.Tests;

public class VqvaeTrainerTests
{
    /// <summary>A few seconds of tones with a little noise, as WAVs at 48 kHz stereo (the corpus resamples).</summary>
    private static string MakeData(TempDir dir)
    {
        var data = Path.Combine(dir.Path, "data");
        Directory.CreateDirectory(data);
        var rng = new Random(7);
        foreach (var f in new[] { 220.0, 330.0, 495.0 })
        {
            var a = ToneAnalysis.Sine(48000, f, 0.3, 48000 * 2);
            var b = ToneAnalysis.Sine(48000, f * 1.5, 0.2, 48000 * 2);
            for (int i = 0; i < a.Length; i++) { a[i] += (float)(rng.NextDouble() - 0.5) * 0.02f; b[i] += a[i] * 0.5f; }
            WavWriter.Write(Path.Combine(data, $"tone{f}.wav"), new AudioClip(48000, new[] { a, b }), WavSampleFormat.Pcm16);
        }
        File.WriteAllText(Path.Combine(data, "notes.txt"), "not audio");
        return data;
    }

    private static VqvaeTrainingOptions Options(string data, string outDir, long steps) => new()
    {
        DataDir = data, OutDir = outDir, Preset = "vqvae_tiny", Steps = steps, BatchSize = 2, CropSeconds = 0.2,
        LearningRate = 1e-3, WarmupSteps = 2, SaveEvery = 3, Seed = 11,
    };

    [Fact]
    public void An_interrupted_run_resumes_to_the_same_weights_as_an_uninterrupted_one()
    {
        using var dir = new TempDir();
        var data = MakeData(dir);
        string a = Path.Combine(dir.Path, "a"), b = Path.Combine(dir.Path, "b");
        using (var t = new VqvaeTrainer(Options(data, a, 6))) t.Run();
        using (var t = new VqvaeTrainer(Options(data, b, 3))) t.Run();          // "interrupted" after step 3
        using (var t = new VqvaeTrainer(Options(data, b, 6)))                   // resumed from b/checkpoint.safetensors
        {
            Assert.Equal(3, t.Step);
            t.Run();
        }
        using var fa = CheckpointFile.Open(Path.Combine(a, VqvaeTrainer.CheckpointName));
        using var fb = CheckpointFile.Open(Path.Combine(b, VqvaeTrainer.CheckpointName));
        Assert.Equal("6", fa.Metadata.Get("jukebox.step"));
        Assert.Equal(fa.Tensors.Select(t => t.Name), fb.Tensors.Select(t => t.Name));
        Assert.Contains(fa.Tensors, t => t.Name.StartsWith("opt/") && t.Name.EndsWith("/exp_avg_sq"));
        Assert.Contains(fa.Tensors, t => t.Name == "codebook/0/k_elem");
        foreach (var t in fa.Tensors) Assert.True(t.ToBytes().SequenceEqual(fb[t.Name].ToBytes()), $"{t.Name} differs after resume");
        Assert.Equal(File.ReadAllLines(Path.Combine(a, "losses.csv")), File.ReadAllLines(Path.Combine(b, "losses.csv")));
    }

    [Fact]
    public void Training_lowers_the_loss_and_writes_a_loadable_model_and_a_loss_curve()
    {
        using var dir = new TempDir();
        var data = MakeData(dir);
        string outDir = Path.Combine(dir.Path, "run");
        var reports = new List<TrainingProgress>();
        using (var t = new VqvaeTrainer(Options(data, outDir, 24) with { SaveEvery = 12 }))
            t.Run(reports.Add);
        Assert.Equal(24, reports.Count);
        Assert.Equal(2, reports.Count(r => r.Saved != null));
        double first = reports.Take(4).Average(r => r.Loss), last = reports.TakeLast(4).Average(r => r.Loss);
        Assert.True(last < 0.9 * first, $"loss went from {first} to {last}");

        using var trained = VqvaeLoader.Load(Path.Combine(outDir, VqvaeTrainer.WeightsName));
        Assert.Equal("file metadata", trained.OptionsFrom);
        var png = File.ReadAllBytes(Path.Combine(outDir, "loss.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Equal(25, File.ReadAllLines(Path.Combine(outDir, "losses.csv")).Length);
    }

    [Fact]
    public void No_usable_audio_is_a_clear_error()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("empty"));
        File.WriteAllText(dir.File("empty/readme.txt"), "x");
        var e = Assert.Throws<UserInputException>(() => new VqvaeTrainer(Options(dir.File("empty"), dir.File("out"), 2)));
        Assert.Contains("no usable audio", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => new VqvaeTrainer(Options(dir.File("missing"), dir.File("out"), 2)));
    }
}
