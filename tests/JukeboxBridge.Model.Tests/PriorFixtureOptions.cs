using System.Text.Json;
using JukeboxBridge.Model.Prior;

namespace JukeboxBridge.Model.Tests;

/// <summary>A fixture's prior entry ({"prior": hps, "derived": ...}) and VQ-VAE hps → PriorOptions (names as the reference's hps).</summary>
public static class PriorFixtureOptions
{
    public static PriorOptions From(JsonElement entry, JsonElement vqvae)
    {
        var p = entry.GetProperty("prior").Deserialize<PriorOptions>()!;
        var d = entry.GetProperty("derived");
        int levels = d.GetProperty("levels").GetInt32(), up = Math.Min(p.Level + 1, levels - 1);
        return p with
        {
            LBins = d.GetProperty("l_bins").GetInt32(), Levels = levels, RawToTokens = d.GetProperty("raw_to_tokens").GetInt32(),
            CondDownT = vqvae.GetProperty("downs_t")[up].GetInt32(), CondStrideT = vqvae.GetProperty("strides_t")[up].GetInt32(),
        };
    }
}
