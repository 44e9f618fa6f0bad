using JukeboxBridge.Audio;
using JukeboxBridge.Evaluation.Style;
using JukeboxBridge.Synth;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Tests;

public class StyleFiguresTests
{
    private static double[][] Gaussian(int n, int d, int seed, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(k =>
        {
            double u = 1 - rng.NextDouble(), v = rng.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v) * (1 + k % 3) + shift;
        }).ToArray()).ToArray();
    }

    [Fact]
    public void The_frechet_distance_is_zero_for_the_same_set_and_the_squared_shift_for_a_moved_one()
    {
        var a = Gaussian(200, 8, 1);
        Assert.InRange(FrechetDistance.Compute(a, a), -1e-6, 1e-6);
        var moved = a.Select(r => r.Select(x => x + 0.5).ToArray()).ToArray();        // same covariance, mean moved by 0.5 in 8 dims
        Assert.Equal(8 * 0.25, FrechetDistance.Compute(a, moved), 6);
        var b = Gaussian(200, 8, 2);
        double ab = FrechetDistance.Compute(a, b), ba = FrechetDistance.Compute(b, a);
        Assert.Equal(ab, ba, 6);
        Assert.True(ab > 0 && ab < FrechetDistance.Compute(a, Gaussian(200, 8, 3, shift: 1)), $"two samples of one Gaussian {ab}");
    }

    [Fact]
    public void Log_mel_features_do_not_depend_on_the_level()
    {
        using var dir = new TempDir();
        var meta = SynthDataset.Write(dir.Path, hours: 4.0 / 3600, pieceSeconds: 4, seed: 3, heldoutEvery: 0);
        var x = AudioFile.ReadAs(Path.Combine(dir.Path, meta.Pieces[0].File), 44100, mono: true).Channels[0];
        using var loud = LogMel.Features(tensor(x).view(1, -1), 44100);
        using var quiet = LogMel.Features(tensor(x.Select(v => v * 0.5f).ToArray()).view(1, -1), 44100);
        Assert.Equal(new long[] { 1, LogMel.Bands, 1 + (x.Length - LogMel.Fft) / LogMel.Hop }, loud.shape);
        double diff = (loud - quiet).abs().mean().item<float>();
        Assert.True(diff < 0.01, $"mean feature change at -6 dB: {diff}");
    }

    [Fact]
    public void A_trained_classifier_saves_and_loads_to_the_same_predictions()
    {
        using var dir = new TempDir();
        SynthDataset.Write(dir.Path, hours: 10 * 4.0 / 3600, pieceSeconds: 4, seed: 5, heldoutEvery: 5);
        var (model, report) = ClassifierTraining.Train(dir.Path, new ClassifierTraining.Options(Steps: 20, Batch: 8, CropSeconds: 2));
        Assert.InRange(report.HeldoutGenreAccuracy, 0, 1);
        string file = Path.Combine(dir.Path, "c.safetensors");
        model.Save(file);
        var loaded = StyleClassifier.Load(file);
        Assert.Equal(model.Genres, loaded.Genres);
        Assert.Equal(model.Artists, loaded.Artists);
        var clip = Enumerable.Range(0, 3 * 44100).Select(i => (float)Math.Sin(i * 0.05) * 0.3f).ToArray();
        using var x = tensor(clip).view(1, -1);
        using var noGrad = no_grad();
        using var e1 = model.Embed(x);
        using var e2 = loaded.Embed(x);
        Assert.Equal(StyleClassifier.EmbeddingSize, e1.shape[1]);
        Assert.True(e1.allclose(e2), "embeddings differ after a save and load");
        Assert.Throws<JukeboxBridge.Errors.UserInputException>(() => StyleClassifier.Load(Path.Combine(JukeboxBridge.Model.Presets.ModelPreset.Root, "weights", "default", "vqvae.safetensors")));
    }
}
