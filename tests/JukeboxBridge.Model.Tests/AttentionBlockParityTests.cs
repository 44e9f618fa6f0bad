using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every attention_block case, full-sequence path: attention on ln_0(x) and the whole block.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class AttentionBlockParityTests
{
    private const string Kind = "attention_block";
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", Kind);

    internal static ResAttnBlock Build(FixtureCase c, CheckpointFile f)
    {
        var h = c.Json.GetProperty("hparams");
        long? Long(string name) => h.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetInt64() : null;
        var o = new AttentionOptions(
            Width: Long("n_in")!.Value, NCtx: Long("n_ctx")!.Value, Heads: (int)Long("n_head")!.Value, Blocks: (int)(Long("blocks") ?? 1),
            Kind: (AttentionKind)(int)Long("attn_func")!.Value, MAttn: h.GetProperty("m_attn").GetDouble(),
            EncoderDims: Long("encoder_dims"), PrimeLen: Long("prime_len"));
        var block = new ResAttnBlock(o, h.GetProperty("m_mlp").GetDouble(), resScale: h.GetProperty("res_scale").GetDouble());
        var report = StateDictLoader.Load(block, StateDictLoader.WithPrefix(f, "weight/block."), strict: true, c.Name);
        Assert.True(report.Ok, report.Describe());
        block.eval();
        return block;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Full_sequence_attention_and_block_match(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        using var f = CheckpointFile.Open(c.TensorPath);
        using var block = Build(c, f);
        var tolJ = c.Json.GetProperty("tolerance");
        var tol = new Tolerance(tolJ.GetProperty("rtol").GetDouble(), 0);
        double atol = tolJ.GetProperty("atol").GetDouble();
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var x = f["input/x"].ToTorch();
        var enc = f.TryGet("input/encoder_kv", out var e) ? e.ToTorch() : null;
        TensorAssert.Close(block.AttentionOnly(x, enc), f["output/attn"], tol, "output/attn", atol);
        TensorAssert.Close(block.forward(x, enc), f["output/block"], tol, "output/block", atol);
    }
}
