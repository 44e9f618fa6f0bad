using JukeboxBridge.Model.Prior;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>The interleaved schedule gives bottom codes early and exactly the level-by-level codes (per-window seeds).</summary>
public class ScheduleTests
{
    [Fact]
    public void Interleaved_equals_level_by_level_and_reaches_level_0_early()
    {
        using var bundle = ModelBundle.Load("tiny");
        manual_seed(5);
        long total = 128 * 128 * 4;                                             // ~1.5 s: several windows at every level
        using var prompt = ((rand(2, 128 * 64, 1) * 2 - 1) * 0.3);
        LevelSettings Settings(int l) => new(new SamplingOptions(Temperature: 0.99), bundle.Sampling.HopFraction[l], 16) { WindowSeed = 42 };

        Tensor[] RunWith(ScheduleKind kind, List<WindowReport> order)
        {
            var zs = bundle.Vqvae.Encode(prompt);
            Schedule.Run(kind, bundle.Priors, zs, total, _ => null, Settings, order.Add);
            return zs;
        }
        var orderA = new List<WindowReport>();
        var orderB = new List<WindowReport>();
        var a = RunWith(ScheduleKind.LevelByLevel, orderA);
        var b = RunWith(ScheduleKind.Interleaved, orderB);
        for (int l = 0; l < 3; l++)
        {
            Assert.Equal(total / bundle.Vqvae.HopLengths[l], a[l].shape[1]);
            Assert.True(a[l].eq(b[l]).all().item<bool>(), $"level {l} codes differ between schedules");
        }
        Assert.Equal(orderA.OrderBy(w => (w.Level, w.Start)), orderB.OrderBy(w => (w.Level, w.Start)));
        int firstBottom = orderB.FindIndex(w => w.Level == 0), lastTop = orderB.FindLastIndex(w => w.Level == 2);
        Assert.True(firstBottom < lastTop, $"interleaving should reach level 0 (window {firstBottom}) before the top level ends (window {lastTop})");
        Assert.True(orderA.FindIndex(w => w.Level == 0) > orderA.FindLastIndex(w => w.Level == 2));
    }
}
