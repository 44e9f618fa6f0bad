using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;
using JukeboxBridge.Model.Transformers;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every prior_forward case (upsamplers, tops with and without labels, 5b_lyrics' encoder, 1b_lyrics' merged sequence): logits and losses.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class PriorForwardParityTests
{
    private const string Kind = "prior_forward";

    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", Kind);

    internal static PriorOptions OptionsOf(JsonElement hparams) => PriorFixtureOptions.From(hparams, hparams.GetProperty("vqvae"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_loss_and_intermediates_match(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        var o = OptionsOf(c.Json.GetProperty("hparams"));
        using var f = CheckpointFile.Open(c.TensorPath);
        using var model = new SimplePrior(o);
        var report = StateDictLoader.Load(model, StateDictLoader.WithPrefix(f, "weight/"), strict: true, name);
        Assert.True(report.Ok, report.Describe());
        model.eval();
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var z = f["input/z"].ToTorch(ScalarType.Int64);
        var y = f.TryGet("input/y", out var yt) ? yt.ToTorch(ScalarType.Int64) : null;
        var zc = f.TryGet("input/z_cond", out var zt) ? zt.ToTorch(ScalarType.Int64) : null;
        FactoredAttention? alignment = null;
        var prior = c.Json.GetProperty("hparams").GetProperty("prior");
        if (f.TryGet("output/alignment_attn", out _) && prior.GetProperty("alignment_layer").ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            alignment = model.Prior.Transformer.Layer(prior.GetProperty("alignment_layer").GetInt32()).Attention;
            alignment.RecordAttention = true;
        }
        var layers = new List<Tensor>();
        var io = new List<Tensor>();
        var primeActs = new List<Tensor>();
        using var fwd = model.Forward(z, y, zc, layers, io, primeActs);
        if (f.TryGet("debug/prime_acts", out var pa)) TensorAssert.Close(primeActs[0], pa, tol, "debug/prime_acts", atol);
        if (f.TryGet("debug/encoder_kv", out var ek)) TensorAssert.Close(fwd.EncoderKv!, ek, tol, "debug/encoder_kv", atol);
        if (f.TryGet("debug/y_cond", out var yc)) TensorAssert.Close(fwd.YCond!, yc, tol, "debug/y_cond", atol);
        if (f.TryGet("debug/x_cond", out var xc)) TensorAssert.Close(fwd.XCond!, xc, tol, "debug/x_cond", atol);
        TensorAssert.Close(io[0], f["debug/transformer_input"], tol, "debug/transformer_input", atol);
        TensorAssert.Close(stack(layers), f["debug/layer_outputs"], tol, "debug/layer_outputs", atol);
        TensorAssert.Close(io[1], f["debug/transformer_output"], tol, "debug/transformer_output", atol);
        TensorAssert.Close(fwd.Logits, f["output/logits"], tol, "output/logits", atol);
        if (alignment != null) TensorAssert.Close(alignment.RecordedAttention!, f["output/alignment_attn"], tol, "output/alignment_attn", atol);
        TensorAssert.Close(fwd.Loss.reshape(1), f["output/loss"], tol, "output/loss", atol);
        TensorAssert.Close(fwd.GenLoss.reshape(1), f["output/gen_loss"], tol, "output/gen_loss", atol);
        TensorAssert.Close(fwd.PrimeLoss.reshape(1), f["output/prime_loss"], tol, "output/prime_loss", atol);
    }
}
