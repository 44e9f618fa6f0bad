using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Tests;
using JukeboxBridge.Sampling.Lyrics;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>Every lyric_alignment case (1b_lyrics' prime attention, 5b_lyrics' cross attention, the padded short case): get_alignment.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Sampling")]
public class LyricAlignmentParityTests
{
    private const string Kind = "lyric_alignment";

    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", Kind);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Alignment_matches_the_reference(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        var h = c.Json.GetProperty("hparams");
        var o = PriorFixtureOptions.From(h, h.GetProperty("vqvae"));
        using var f = CheckpointFile.Open(c.TensorPath);
        using var prior = new SimplePrior(o);
        var report = StateDictLoader.Load(prior, StateDictLoader.WithPrefix(f, "weight/"), strict: true, name);
        Assert.True(report.Ok, report.Describe());
        prior.eval();
        using var scope = NewDisposeScope();
        int batch = c.Json.GetProperty("batch").GetInt32();
        var full = Enumerable.Range(0, batch).Select(i => f[$"input/full_tokens_item_{i}"].ToTorch(ScalarType.Int64).data<long>().ToArray()).ToList();
        var got = LyricAlignment.Compute(prior, f["input/z"].ToTorch(ScalarType.Int64), f["input/labels_y"].ToTorch(ScalarType.Int64), full,
            c.Json.GetProperty("alignment_layer").GetInt32(), c.Json.GetProperty("alignment_head").GetInt32(), c.Json.GetProperty("hop_fraction").GetDouble());
        var starts = LyricAlignment.Starts(c.Json.GetProperty("total_length").GetInt64() + c.Json.GetProperty("padding_length").GetInt64(),
                                           c.Json.GetProperty("n_ctx").GetInt64(), c.Json.GetProperty("hop_length").GetInt64());
        Assert.Equal(f["debug/window_starts"].ToTorch(ScalarType.Int64).data<long>().ToArray(), starts.ToArray());
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        for (int i = 0; i < batch; i++) TensorAssert.Close(got[i], f[$"output/alignment_item_{i}"], tol, $"output/alignment_item_{i}", atol);
    }
}
