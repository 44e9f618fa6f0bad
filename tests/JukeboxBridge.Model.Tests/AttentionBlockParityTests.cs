using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;
using JukeboxBridge.Model.Transformers;

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
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var x = f["input/x"].ToTorch();
        var enc = f.TryGet("input/encoder_kv", out var e) ? e.ToTorch() : null;
        TensorAssert.Close(block.AttentionOnly(x, enc), f["output/attn"], tol, "output/attn", atol);
        TensorAssert.Close(block.forward(x, enc), f["output/block"], tol, "output/block", atol);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kv_cache_one_position_at_a_time_and_in_chunks_match(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        using var f = CheckpointFile.Open(c.TensorPath);
        using var block = Build(c, f);
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var x = f["input/x"].ToTorch();
        var enc = f.TryGet("input/encoder_kv", out var e) ? e.ToTorch() : null;
        long l = x.shape[1];

        using (var cache = new KvCache(block.Attention.Options))
        {
            var outs = new List<Tensor>();
            var lens = new List<long>();
            for (long t = 0; t < l; t++)
            {
                outs.Add(block.Step(x.narrow(1, t, 1), enc, cache));
                lens.Add(cache.TrimmedLength);
            }
            TensorAssert.Close(cat(outs, 1), f["output/block_incremental"], tol, "output/block_incremental", atol);
            if (f.TryGet("output/cache_len_incremental", out var wantLens))
                Assert.Equal(wantLens.ToDoubles().Select(d => (long)d), lens);
        }

        var chunks = c.Json.GetProperty("chunks").EnumerateArray().Select(j => j.GetInt64()).ToList();
        Assert.Equal(l, chunks.Sum());
        using (var cache = new KvCache(block.Attention.Options))
        {
            var outs = new List<Tensor>();
            var lens = new List<long>();
            long at = 0;
            foreach (var n in chunks)
            {
                outs.Add(block.Step(x.narrow(1, at, n), enc, cache));
                lens.Add(cache.TrimmedLength);
                at += n;
            }
            TensorAssert.Close(cat(outs, 1), f["output/block_chunked"], tol, "output/block_chunked", atol);
            if (f.TryGet("output/cache_len_chunked", out var wantLens))
                Assert.Equal(wantLens.ToDoubles().Select(d => (long)d), lens);
        }
    }
}
