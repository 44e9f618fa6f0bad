using JukeboxBridge.Errors;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Sampling.Devices;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

public class PlanningTests
{
    private static PriorOptions Top(int nCtx) => new() { NCtx = nCtx, Level = 2 };

    [Fact]
    public void A_level_shorter_than_a_window_stops_at_its_length_unless_reference_mode()
    {
        var o = Top(64);
        // 20 codes present, 50 wanted: the fixed window samples up to 50; the reference adds 50 more (70 codes).
        Assert.Equal(new List<(long, long?)> { (0, 50) }, LevelSampling.Plan(o, 50, 20, 0.5));
        Assert.Equal(new List<(long, long?)> { (6, 64) }, LevelSampling.Plan(o, 50, 20, 0.5, referencePartialWindow: true));
        Assert.Equal(new List<(long, long?)> { (0, 60) }, LevelSampling.Plan(o, 40, 20, 0.5, referencePartialWindow: true));
        Assert.Empty(LevelSampling.Plan(o, 50, 50, 0.5));
        Assert.Equal(new long[] { 30 }, LevelSampling.NewTokens(o, LevelSampling.Plan(o, 50, 20, 0.5), 20));
        Assert.Equal(new long[] { 50 }, LevelSampling.NewTokens(o, LevelSampling.Plan(o, 50, 20, 0.5, true), 20));
        // Full windows: starts every hop, the last pulled back; new tokens add up to the level's length.
        var plan = LevelSampling.Plan(o, 200, 10, 0.25);
        Assert.Equal(new long[] { 0, 16, 32, 48, 64, 80, 96, 112, 128, 136 }, plan.Select(w => w.Start));
        Assert.Equal(190, LevelSampling.NewTokens(o, plan, 10).Sum());
    }

    [Fact]
    public void Window_seeds_are_fixed_across_processes_and_distinct()
    {
        // Job folders resume in other processes: the seed of a window must never depend on the process.
        Assert.Equal(LevelSampling.WindowSeedOf(0, 2, 128), LevelSampling.WindowSeedOf(0, 2, 128));
        Assert.Equal(45580801015439UL, LevelSampling.WindowSeedOf(7, 1, 4096));
        var seeds = new HashSet<ulong>();
        for (int l = 0; l < 3; l++) for (long s = 0; s < 100; s++) seeds.Add(LevelSampling.WindowSeedOf(1, l, s * 16));
        Assert.Equal(300, seeds.Count);
    }

    [Fact]
    public void Residency_evicts_least_recently_used_models_to_fit_the_budget()
    {
        var resident = new List<(long Bytes, long LastUse)> { (40, 3), (30, 1), (20, 2) };   // 90 used
        Assert.Empty(ModelResidency.Evictions(resident, 10, 100));
        Assert.Equal(new[] { 1 }, ModelResidency.Evictions(resident, 30, 100));              // oldest (30 B) makes room
        Assert.Equal(new[] { 1, 2 }, ModelResidency.Evictions(resident, 50, 100));
        Assert.Equal(new[] { 1, 2, 0 }, ModelResidency.Evictions(resident, 150, 100));       // too big: runs alone
        var cpu = new ModelResidency(new DeviceOptions("cpu"));
        Assert.Equal(ScalarType.Float32, new DeviceOptions("cpu").WeightType);
        Assert.Equal("--precision", Assert.Throws<UserInputException>(() => new DeviceOptions("cpu", "int3").WeightType).Field);
    }
}
