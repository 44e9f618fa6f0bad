using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every label_conditioner case: start embedding (artist + bag of genres) and the timing embeddings.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class LabelConditionerParityTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "label_conditioner");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Start_and_position_embeddings_and_bins_match(string name)
    {
        var c = FixtureCases.Get("prior", "label_conditioner", name);
        var h = c.Json.GetProperty("hparams");
        using var f = CheckpointFile.Open(c.TensorPath);
        var yb = h.GetProperty("y_bins").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        bool time = h.GetProperty("include_time_signal").GetBoolean();
        using var lc = new LabelConditioner(new LabelConditionerOptions(yb[0], yb[1], h.GetProperty("out_width").GetInt64())
        {
            IncludeTimeSignal = time, NTime = h.GetProperty("n_time").GetInt64(), TBins = h.GetProperty("t_bins").GetInt32(),
            SampleRate = h.GetProperty("sr").GetInt32(), MinDuration = h.GetProperty("min_duration").GetDouble(),
            MaxDuration = h.GetProperty("max_duration").GetDouble(),
        });
        StateDictLoader.Load(lc, StateDictLoader.WithPrefix(f, "weight/y_emb."), strict: true, name);
        var (tol, atol) = Tolerance.AbsRel(c.Json);
        using var scope = NewDisposeScope();
        using var g = no_grad();
        var y = f["input/y"].ToTorch(ScalarType.Int64);
        var (start, pos) = lc.forward(y);
        TensorAssert.Close(start, f["output/start_emb"], tol, "start_emb", atol);
        if (time)
        {
            TensorAssert.Close(pos!, f["output/pos_emb"], tol, "pos_emb", atol);
        }
    }
}
