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
        // The hps describe the prior; the VQ-VAE it was built against fixes the code bins and, for an
        // upsampler, the conditioner's upsampling steps: read those off the tensors.
        var sd = StateDict.FromCheckpoint(f);
        long bins = sd["prior.x_emb.weight"].Shape[0];
        bool upsampler = sd.ContainsKey("conditioner_blocks.0.x_emb.weight");
        int condSteps = sd.Keys.Count(k => System.Text.RegularExpressions.Regex.IsMatch(k, @"^conditioner_blocks\.0\.cond\.model\.\d+\.1\.weight$"));
        return o with { LBins = (int)bins, Levels = o.Level + (upsampler ? 2 : 1), RawToTokens = 128, CondDownT = Math.Max(1, condSteps) };
    }

    [Theory]
    [InlineData("upsampler_tiny_level_1_like.legacy.pth.tar")]
    [InlineData("upsampler_tiny_level_1_like.zip.pth")]
    [InlineData("upsampler_tiny_level_1_like.safetensors")]
    public void Upsampler_with_tied_output_and_blocks_names_loads(string file)
    {
        using var legacy = CheckpointFile.Open(Ckpt("upsampler_tiny_level_1_like.legacy.pth.tar"));
        var o = OptionsFrom(legacy);
        using var f = CheckpointFile.Open(Ckpt(file));
        using var prior = new SimplePrior(o);
        var report = StateDictLoader.Load(prior, StateDict.FromCheckpoint(f), strict: true, file);
        Assert.True(report.Ok, report.Describe());
        var sd = prior.state_dict();
        Assert.Equal(sd["prior.x_emb.weight"].sum().item<float>(), sd["prior.x_out.weight"].sum().item<float>());
        using var scope = NewDisposeScope();
        using var g = no_grad();
        prior.eval();
        var z = randint(0, o.LBins, new long[] { 1, o.NCtx });
        var zc = randint(0, o.LBins, new long[] { 1, o.NCtx / (1 << o.CondDownT) });
        var y = cat(new[] { tensor(new long[] { 0, 0, 0, 1 }).view(1, 4), full(1, o.MaxBowGenreSize ?? 1, -1L) }, 1);
        using var fwd = prior.Forward(z, y, zc);
        Assert.True(float.IsFinite(fwd.Loss.item<float>()));
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
