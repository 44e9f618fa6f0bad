using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Model.Tests;

/// <summary>Runs alone: building on the meta device changes libtorch's process-wide default device.</summary>
[CollectionDefinition("meta device", DisableParallelization = true)]
public sealed class MetaDeviceCollection;

/// <summary>Official prior presets build exactly the released state dicts (names in order, shapes, dtypes), on the meta device.</summary>
[Collection("meta device")]
public class PriorManifestTests
{
    [Theory]
    [InlineData("upsampler_level_0")]
    [InlineData("upsampler_level_1")]
    [InlineData("prior_5b")]
    [InlineData("prior_5b_lyrics")]
    [InlineData("prior_1b_lyrics")]
    public void Preset_matches_the_manifest(string config)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("manifests"), config + ".json")));
        var want = doc.RootElement.GetProperty("tensors").EnumerateArray()
            .Select(t => $"{t.GetProperty("name").GetString()} [{string.Join(",", t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()))}] {t.GetProperty("dtype").GetString()}")
            .ToList();
        using var prior = SimplePrior.OnMetaDevice(ModelPreset.Load(config).Prior!);
        var got = prior.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}] {kv.Value.dtype.ToDType().TorchName()}").ToList();
        var missing = want.Except(got).Take(5).ToList();
        var extra = got.Except(want).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing: {string.Join("; ", missing)}\nextra: {string.Join("; ", extra)}");
        Assert.Equal(want, got);
        // Unique parameters: a tied pair (x_out = x_emb) counts once.
        var tiedCopies = doc.RootElement.GetProperty("tied_tensors").EnumerateArray().Select(pair => pair[1].GetString()!).ToHashSet();
        Assert.Equal(doc.RootElement.GetProperty("n_parameters").GetInt64(),
            prior.named_parameters().Where(p => !tiedCopies.Contains(p.name)).Sum(p => p.parameter.numel()));
    }

    [Fact]
    public void Tied_output_shares_the_embeddings_storage()
    {
        var o = new PriorOptions { Level = 1, NCtx = 16, Width = 8, Depth = 1, Heads = 1, Blocks = 2, LBins = 12, RawToTokens = 32, CondWidth = 8, CondDepth = 1 };
        using var prior = new SimplePrior(o);
        var sd = prior.state_dict();
        using (TorchSharp.torch.no_grad()) sd["prior.x_emb.weight"].fill_(0.5f);
        Assert.Equal(0.5f * 12 * 8, sd["prior.x_out.weight"].sum().item<float>());
    }
}
