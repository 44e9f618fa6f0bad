using JukeboxBridge.Model.Presets;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>
/// A seeded model gets the same initial weights whatever other threads draw meanwhile (the mechanism behind a
/// trainer's resume test that failed when another test class built a prior at the same time).
/// </summary>
/// <summary>Runs alone: one test compares with torch's global generator, which parallel classes draw from.</summary>
[CollectionDefinition(nameof(GlobalGeneratorCollection), DisableParallelization = true)]
public sealed class GlobalGeneratorCollection;

[Collection(nameof(GlobalGeneratorCollection))]
public class ModelInitTests
{
    private static Dictionary<string, byte[]> Weights(nn.Module m) =>
        m.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray()
            .SelectMany(BitConverter.GetBytes).ToArray());

    private static Dictionary<string, byte[]> Build(int seed)
    {
        using var scope = ModelInit.Seeded(seed);
        using var vq = new VQVAE(ModelPreset.Load("vqvae_tiny").Vqvae!);
        using var prior = new SimplePrior(ModelPreset.Load("prior_tiny_top_labelled").Prior!);
        return Weights(vq).Concat(Weights(prior).Select(kv => KeyValuePair.Create("prior/" + kv.Key, kv.Value))).ToDictionary();
    }

    [Fact]
    public async Task A_seeded_build_ignores_draws_from_other_threads()
    {
        var alone = Build(11);
        using var stop = new CancellationTokenSource();
        var running = new TaskCompletionSource();
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)                  // the global generator, busy
            {
                manual_seed(99);
                using var r = rand(256);
                running.TrySetResult();
            }
        });
        try
        {
            await running.Task;
            for (int i = 0; i < 5; i++)
            {
                var busy = Build(11);
                Assert.Equal(alone.Keys, busy.Keys);
                foreach (var (name, bytes) in alone) Assert.True(bytes.SequenceEqual(busy[name]), $"{name} differs when another thread draws");
            }
        }
        finally { stop.Cancel(); await noise; }
        Assert.NotEqual(alone["encoders.0.level_blocks.0.model.0.0.weight"], Build(12)["encoders.0.level_blocks.0.model.0.0.weight"]);
    }

    [Fact]
    public void A_seeded_build_draws_what_manual_seed_gave_a_lone_thread()
    {
        var scoped = Build(7);
        manual_seed(7);
        using var vq = new VQVAE(ModelPreset.Load("vqvae_tiny").Vqvae!);
        var global = Weights(vq);
        foreach (var (name, bytes) in global) Assert.True(bytes.SequenceEqual(scoped[name]), $"{name}: the scoped generator drew other numbers");
    }
}
