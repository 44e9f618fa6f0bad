using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

public class VqvaeModelTests
{
    private static string Ckpt(string pattern) => Directory.GetFiles(Fixtures.Dir("checkpoints"), pattern).Single();

    [Fact]
    public void Official_preset_builds_exactly_the_released_state_dict()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir("manifests"), "vqvae.json")));
        var want = doc.RootElement.GetProperty("tensors").EnumerateArray()
            .Select(t => (t.GetProperty("name").GetString()!, string.Join(",", t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64())), t.GetProperty("dtype").GetString()!))
            .ToList();
        using var m = new VQVAE(ModelPreset.Load("vqvae").Vqvae!);
        var got = m.state_dict().Select(kv => (kv.Key, string.Join(",", kv.Value.shape), kv.Value.dtype.ToDType().TorchName())).ToList();
        Assert.Equal(want.Count, got.Count);
        for (int i = 0; i < want.Count; i++) Assert.Equal(want[i], got[i]);
        Assert.Equal(doc.RootElement.GetProperty("n_parameters").GetInt64(), m.parameters().Sum(p => p.numel()));
        Assert.Equal(new[] { 8, 32, 128 }, m.HopLengths);
    }

    [Theory]
    [InlineData("vqvae_tiny.legacy.pth.tar")]
    [InlineData("vqvae_tiny.zip.pth")]
    [InlineData("vqvae_tiny_module_prefix.legacy.pth.tar")]
    public void Fixture_checkpoints_load_with_their_hps(string file)
    {
        using var loaded = VqvaeLoader.Load(Ckpt(file));
        Assert.Equal("checkpoint hps", loaded.OptionsFrom);
        using var ckpt = CheckpointFile.Open(Ckpt(file));
        var stored = StateDict.FromCheckpoint(ckpt);
        foreach (var (name, t) in loaded.Model.state_dict())
            Assert.Equal(stored[name].ToBytes(), t.bytes.ToArray());
    }

    [Fact]
    public void A_mismatched_checkpoint_is_reported_by_tensor_name()
    {
        // The safetensors copy has no hyperparameters, so the official shape is tried and must be refused by name.
        var e = Assert.Throws<ModelLoadException>(() => VqvaeLoader.Load(Ckpt("vqvae_tiny.safetensors")));
        Assert.Contains("wrong shape", e.Message);
        Assert.Contains("encoders.0.level_blocks.0.model.0.0.weight", e.Message);
        Assert.NotEmpty(e.Report.Mismatched);

        // With the right shape (from the legacy file's hps) it loads.
        using var legacy = CheckpointFile.Open(Ckpt("vqvae_tiny.legacy.pth.tar"));
        using var ok = VqvaeLoader.Load(Ckpt("vqvae_tiny.safetensors"), VqvaeLoader.OptionsOf(legacy));
        Assert.Equal(3, ok.Model.Levels);

        // A prior is not a VQ-VAE: missing and unexpected names are listed.
        var prior = Assert.Throws<ModelLoadException>(() => VqvaeLoader.Load(Ckpt("upsampler_tiny_level_1_like.zip.pth"), "vqvae_tiny"));
        Assert.Contains("missing from the checkpoint", prior.Message);
        Assert.Contains("unexpected in the checkpoint", prior.Message);
        Assert.Contains("prior.x_emb.weight", prior.Report.Unexpected);
    }

    [Fact]
    public void Saved_safetensors_carry_their_options_and_reload_identically()
    {
        using var dir = new TempDir();
        using var a = VqvaeLoader.Load("vqvae_tiny", seed: 5);
        var path = dir.File("vq.safetensors");
        VqvaeLoader.Save(a.Model, path);
        using var b = VqvaeLoader.Load(path);
        Assert.Equal("file metadata", b.OptionsFrom);
        manual_seed(1);
        using var x = (rand(1, 4096, 1) * 2 - 1) * 0.5;
        var ca = a.Model.Encode(x);
        var cb = b.Model.Encode(x);
        for (int l = 0; l < 3; l++) Assert.True(ca[l].eq(cb[l]).all().item<bool>());
    }

    [Fact]
    public void Chunked_encode_and_decode_equal_the_whole_signal()
    {
        using var v = VqvaeLoader.Load("vqvae_tiny", seed: 3);
        manual_seed(2);
        var t = 128 * 160;
        using var x = (rand(2, t, 1) * 2 - 1) * 0.5;
        var whole = v.Model.Encode(x);
        var chunked = v.Model.Encode(x, chunkSamples: 128 * 24, batchChunk: 1);
        for (int l = 0; l < 3; l++) Assert.True(whole[l].eq(chunked[l]).all().item<bool>(), $"level {l} codes differ when chunked");
        for (int l = 0; l < 3; l++)
        {
            using var full = v.Model.Decode(whole[l..], l);
            using var parts = v.Model.Decode(whole[l..], l, chunkFrames: 4096 / v.Model.HopLengths[l] + 3, batchChunk: 1);
            Assert.Equal(full.shape, parts.shape);
            double err = (full - parts).abs().max().item<float>(), scale = full.abs().max().item<float>();
            Assert.True(err <= 1e-5 * scale + 1e-6, $"level {l}: chunked decode differs by {err} (max {scale})");
        }
    }

    [Fact]
    public void Bad_lengths_and_levels_are_named()
    {
        using var v = VqvaeLoader.Load("vqvae_tiny");
        using var x = zeros(1, 1000, 1);
        Assert.Contains("multiple of 128", Assert.Throws<ArgumentException>(() => v.Model.Encode(x)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => v.Model.Encode(zeros(1, 128, 1), startLevel: 2, endLevel: 5));
        Assert.Contains("neither a checkpoint file nor a model preset", Assert.Throws<FileNotFoundException>(() => VqvaeLoader.Load("no_such_model")).Message);
    }
}
