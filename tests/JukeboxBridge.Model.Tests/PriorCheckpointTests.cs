using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Prior checkpoints in the released layout load by name, fp16 Conv1D weights included.</summary>
public class PriorCheckpointTests
{
    private static string Ckpt(string name) => Path.Combine(Fixtures.Dir("checkpoints"), name);

    /// <summary>The prior's options from the file's hps (same names as ours); bins come from the VQ-VAE it was built against.</summary>
    private static PriorOptions OptionsFrom(CheckpointFile f)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms)) PyJson.Write(w, f.Metadata.Get("hps"));
        var o = JsonSerializer.Deserialize<PriorOptions>(ms.ToArray())!;
        long bins = StateDict.FromCheckpoint(f)["prior.x_emb.weight"].Shape[0];
        return o with { LBins = (int)bins, Levels = o.Level + 1, RawToTokens = 128 };
    }

    [Theory]
    [InlineData("prior_tiny_5b_lyrics_like.legacy.pth.tar")]
    [InlineData("prior_tiny_5b_lyrics_like.zip.pth")]
    [InlineData("prior_tiny_5b_lyrics_like.safetensors")]
    public void Fp16_lyrics_prior_loads_and_keeps_half_conv_weights(string file)
    {
        using var legacy = CheckpointFile.Open(Ckpt("prior_tiny_5b_lyrics_like.legacy.pth.tar"));
        var o = OptionsFrom(legacy);
        Assert.True(o.Fp16Params);
        using var f = CheckpointFile.Open(Ckpt(file));
        var stored = StateDict.FromCheckpoint(f);
        using var prior = new SimplePrior(o);
        var report = StateDictLoader.Load(prior, stored, strict: true, file);
        Assert.True(report.Ok, report.Describe());
        int halves = 0;
        foreach (var (name, t) in prior.state_dict())
        {
            Assert.Equal(stored[name].DType.ToScalarType(), t.dtype);           // .w in half, the rest float32, as saved
            Assert.Equal(stored[name].ToBytes(), t.contiguous().bytes.ToArray());
            if (t.dtype == ScalarType.Float16) halves++;
        }
        Assert.True(halves > 10);

        // And it runs: a forward in float32 with the half weights upcast.
        using var scope = NewDisposeScope();
        using var g = no_grad();
        prior.eval();
        var z = randint(0, o.LBins, new long[] { 1, o.NCtx });
        var y = cat(new[] { tensor(new long[] { 44100 * 60, 0, o.NCtx * 128L, 1 }).view(1, 4), full(1, o.MaxBowGenreSize ?? 1, -1L), randint(0, o.NVocab, new long[] { 1, o.NTokens }) }, 1);
        using var fwd = prior.Forward(z, y, null);
        Assert.True(float.IsFinite(fwd.Loss.item<float>()));
    }
}
