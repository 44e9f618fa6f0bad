using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every filter_logits case: each recorded (top_k, top_p) filter exactly, −inf where removed.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class LogitFilterParityTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "filter_logits");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_filter_matches_exactly(string name)
    {
        var c = FixtureCases.Get("prior", "filter_logits", name);
        using var f = CheckpointFile.Open(c.TensorPath);
        int n = 0;
        foreach (var filter in c.Json.GetProperty("filters").EnumerateArray())
        {
            using var scope = NewDisposeScope();
            var input = f[filter.GetProperty("input").GetString()!].ToTorch();
            var got = LogitFilter.Apply(input, filter.GetProperty("top_k").GetInt32(), filter.GetProperty("top_p").GetDouble());
            var want = f[filter.GetProperty("output").GetString()!].ToTorch();
            Assert.True(got.isinf().eq(want.isinf()).all().item<bool>(), $"{filter}: removed entries differ");
            var keep = want.isinf().logical_not();
            Assert.True(got.masked_select(keep).eq(want.masked_select(keep)).all().item<bool>(), $"{filter}: kept values differ");
            n++;
        }
        Assert.True(n > 0);
    }
}
