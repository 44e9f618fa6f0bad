using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every prior_sample case: greedy ancestral and primed (chunked) sampling through the KV caches, lyrics models included.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class PriorSampleParityTests
{
    private const string Kind = "prior_sample";

    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tokens_and_every_steps_logits_match(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        var o = PriorForwardParityTests.OptionsOf(c.Json.GetProperty("hparams"));
        using var f = CheckpointFile.Open(c.TensorPath);
        using var model = new SimplePrior(o);
        StateDictLoader.Load(model, StateDictLoader.WithPrefix(f, "weight/"), strict: true, name);
        model.eval();
        var s = c.Json.GetProperty("sampling");
        var options = new SamplingOptions(s.GetProperty("temp").GetDouble(), s.GetProperty("top_k").GetInt32(), s.GetProperty("top_p").GetDouble(),
            s.GetProperty("chunk_size").ValueKind == System.Text.Json.JsonValueKind.Number ? s.GetProperty("chunk_size").GetInt32() : null,
            s.GetProperty("sample_tokens").ValueKind == System.Text.Json.JsonValueKind.Number ? s.GetProperty("sample_tokens").GetInt32() : null);
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        using var scope = NewDisposeScope();
        var y = f.TryGet("input/y", out var yt) ? yt.ToTorch(ScalarType.Int64) : null;
        var zc = f.TryGet("input/z_cond", out var zt) ? zt.ToTorch(ScalarType.Int64) : null;
        var prefix = f.TryGet("input/z_prefix", out var pt) ? pt.ToTorch(ScalarType.Int64) : null;
        long n = s.GetProperty("n_samples").GetInt64();
        var logits = new List<Tensor>();
        var tokens = model.Sample(n, y, zc, prefix, options, new Generator(1), logits);
        TensorAssert.Close(tokens, f["output/tokens"], tol, "output/tokens");
        TensorAssert.Close(cat(logits, 1), f["output/step_logits"], tol, "output/step_logits", atol);
    }
}
