using System.Diagnostics;
using JukeboxBridge.Model.Prior;
using static TorchSharp.torch;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// prior-sampling: KV-cached ancestral sampling speed on CPU of a fixed mid-size top prior (level 2, n_ctx 4096,
/// width 1024, depth 12, heads 4, attn_order 2, blocks 64, no labels, random weights): N new tokens at each batch
/// size. Also the memory-bandwidth floor at batch 1: every token must read all parameters once, so
/// floor_tokens_per_s = measured bandwidth / parameter bytes; floor_fraction = tokens_per_s / that.
/// Reference point (OpenAI's code, PyTorch 1.13, this 2-core machine, quiet): ~30 tokens/s at batch 1, ~97 at batch 4.
/// Options: --batch 1,4 --tokens 128 --threads N
/// </summary>
public sealed class PriorSamplingBenchmark : IBenchmark
{
    public string Name => "prior-sampling";
    public string Description => "tokens/s of KV-cached prior sampling (fixed 12-layer, width-1024 prior) and the memory-bandwidth floor";

    public static PriorOptions Config => new()
    {
        Level = 2, Levels = 3, NCtx = 4096, Width = 1024, Depth = 12, Heads = 4, AttnOrder = 2, Blocks = 64,
        Labels = false, LBins = 2048, RawToTokens = 128, InitScale = 1.0,
    };

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        var batches = BenchmarkOptions.Get(options, "--batch", "1,4").Split(',').Select(int.Parse).ToArray();
        int tokens = int.Parse(BenchmarkOptions.Get(options, "--tokens", "128"));
        if (BenchmarkOptions.Get(options, "--threads", "") is { Length: > 0 } th) set_num_threads(int.Parse(th));
        manual_seed(0);
        using var prior = new SimplePrior(Config);
        prior.eval();
        long paramBytes = prior.parameters().Sum(p => p.numel() * p.element_size());
        double bandwidth = MeasureBandwidth();
        double floor = bandwidth / paramBytes;
        Console.Error.WriteLine($"prior-sampling: {paramBytes / 1e6:F1} MB of parameters, memory bandwidth {bandwidth / 1e9:F2} GB/s -> floor {floor:F1} tokens/s at batch 1; threads {get_num_threads()}");
        var results = new List<Measurement>();
        foreach (int b in batches)
        {
            var opts = new SamplingOptions(Temperature: 1.0, SampleTokens: tokens);
            using (var warm = prior.Sample(b, null, null, null, opts with { SampleTokens = 8 }, new Generator(1))) { }
            var sw = Stopwatch.StartNew();
            using var z = prior.Sample(b, null, null, null, opts, new Generator(2));
            long sync = z.sum().item<long>();
            double s = sw.Elapsed.TotalSeconds;
            double tps = b * tokens / s;
            Console.Error.WriteLine($"  batch {b}: {tokens} tokens in {s:F2} s");
            results.Add(new Measurement(new Dictionary<string, object>
            {
                ["batch"] = b, ["tokens"] = tokens, ["tokens_per_s"] = Math.Round(tps, 1),
                ["floor_tokens_per_s"] = Math.Round(floor * b, 1), ["floor_fraction"] = Math.Round(tps / (floor * b), 3),
                ["seconds"] = Math.Round(s, 2),
            }));
        }
        return results;
    }

    /// <summary>Bytes per second of a large tensor copy (read + write), best of a few.</summary>
    private static double MeasureBandwidth()
    {
        using var a = ones(64L << 20);                                       // 256 MB
        using var b = empty_like(a);
        b.copy_(a);
        double best = 0;
        for (int i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            b.copy_(a);
            best = Math.Max(best, 2.0 * a.numel() * 4 / sw.Elapsed.TotalSeconds);
        }
        return best;
    }

}
