using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Sampling;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Evaluation.Tests;

/// <summary>The embedded default model (presets/bundles/default.json and its committed weights).</summary>
public class DefaultModelTests
{
    [Fact]
    public void No_model_given_means_the_default_bundle_and_every_weight_comes_from_its_files()
    {
        Assert.Equal(ModelBundle.DefaultName, ModelBundle.ResolveSpec(null));
        // Random initialisation depends on the seed; trained weights loaded from files do not.
        using var a = ModelBundle.Load(ModelBundle.ResolveSpec(null), seed: 1);
        using var b = ModelBundle.Load(ModelBundle.ResolveSpec(null), seed: 2);
        Assert.Equal(3, a.Priors.Length);
        Assert.NotNull(a.IdsDir);
        Assert.True(Directory.Exists(a.IdsDir), $"id tables {a.IdsDir}");
        var modules = new TorchSharp.torch.nn.Module[] { a.Vqvae }.Concat(a.Priors).Zip(new TorchSharp.torch.nn.Module[] { b.Vqvae }.Concat(b.Priors));
        foreach (var (x, y) in modules)
        {
            var py = y.state_dict();
            foreach (var (name, t) in x.state_dict())
                Assert.True(t.allclose(py[name], rtol: 0, atol: 0), $"{name} differs between seeds: not loaded from the weight files");
        }
    }

    [Fact]
    public void The_default_vqvae_reconstructs_the_bundled_example_clip_from_its_bottom_level()
    {
        using var bundle = ModelBundle.Load(ModelBundle.DefaultName);
        var vq = bundle.Vqvae;
        var clip = AudioFile.ReadAs(Path.Combine(Fixtures.RepoRoot, "examples", "prompt.wav"), vq.Options.SampleRate, mono: true);
        int n = 4 * vq.Options.SampleRate / vq.Options.LengthMultiple * vq.Options.LengthMultiple;
        var x = clip.Channels[0][..n];
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var zs = vq.Encode(tensor(x).view(1, n, 1));
        var y = vq.Decode(zs[0..], 0)[0, .., 0].contiguous().data<float>().ToArray();
        double sc = SpectralDistance.Convergence(x, y, vq.Options.SampleRate);
        Assert.True(sc <= 0.3, $"spectral convergence of the level-0 reconstruction {sc:F3} (the model card's bar: 0.3)");
    }
}
