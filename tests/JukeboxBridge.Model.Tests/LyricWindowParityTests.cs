using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every window of every lyrics_labels case, both the label builder's (double) and the sampler's (float32) midpoint.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class LyricWindowParityTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "lyrics_labels");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Windows_match_both_paths(string name)
    {
        var c = FixtureCases.Get("prior", "lyrics_labels", name);
        using var f = CheckpointFile.Open(c.TensorPath);
        int j = 0;
        foreach (var w in c.Json.GetProperty("windows").EnumerateArray())
        {
            var full = f[$"output/text_tokens_{w.GetProperty("text").GetInt32()}"].ToDoubles().Select(d => (long)d).ToList();
            Assert.Equal(w.GetProperty("full_length").GetInt32(), full.Count);
            foreach (var (path, f32) in new[] { ("python", false), ("tensor", true) })
            {
                var got = LyricWindow.Select(full, w.GetProperty("n_tokens").GetInt32(), w.GetProperty("total_length").GetInt64(),
                    w.GetProperty("offset").GetInt64(), w.GetProperty("duration").GetInt64(), f32);
                Assert.Equal(f[$"output/window_{j}_{path}_tokens"].ToDoubles().Select(d => (long)d), got.Tokens);
                Assert.Equal(f[$"output/window_{j}_{path}_indices"].ToDoubles().Select(d => (long)d), got.Indices);
            }
            j++;
        }
        Assert.True(j > 0);
    }
}
