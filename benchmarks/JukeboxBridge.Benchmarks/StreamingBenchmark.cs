using System.Diagnostics;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// streaming: a 3-level continuation on a small random-weight bundle (default `tiny`), once per schedule: total time,
/// time to the first streamed level-0 block, their ratio, and tokens/s per level (codes added across variations per
/// second spent in that level's windows). Target: the interleaved first block within 10% of the total time.
/// Blocks carry only new audio (from the end of the prompt): first_block_s is the first continuation a producer hears.
/// Options: --model tiny --prompt-seconds 1 --seconds 8 --block-seconds 0.5 --variations 1 [--cold: no warm-up] [--trace: events on stderr]
/// The first block needs block_seconds of new audio at every level, so the ratio is about block_seconds / seconds plus start-up.
/// </summary>
public sealed class StreamingBenchmark : IBenchmark
{
    public string Name => "streaming";
    public string Description => "time to first streamed block vs total, interleaved vs level-by-level schedule";

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        string model = BenchmarkOptions.Get(options, "--model", "tiny");
        double promptS = double.Parse(BenchmarkOptions.Get(options, "--prompt-seconds", "1")), seconds = double.Parse(BenchmarkOptions.Get(options, "--seconds", "8"));
        double blockS = double.Parse(BenchmarkOptions.Get(options, "--block-seconds", "0.5"));
        int variations = int.Parse(BenchmarkOptions.Get(options, "--variations", "1"));
        bool trace = options.Contains("--trace");
        using var bundle = ModelBundle.Load(model);
        var prompt = AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 220, 0.4, (int)(44100 * promptS)));
        var results = new List<Measurement>();
        if (!options.Contains("--cold"))
        {
            // Warm up (JIT, libtorch kernels) so neither schedule pays for the process's first window: a daemon is warm.
            Console.Error.WriteLine("streaming: warming up ...");
            using var warm = SamplingJob.Create(bundle, new JobSettings { Seconds = 0.3, Seed = 99 }, prompt);
            warm.Run();
        }
        foreach (var (kind, label) in new[] { (ScheduleKind.Interleaved, "interleaved"), (ScheduleKind.LevelByLevel, "level-by-level") })
        {
            Console.Error.WriteLine($"streaming: {label}, {promptS} s prompt + {seconds} s, blocks of {blockS} s ...");
            var settings = new JobSettings { Seconds = seconds, Variations = variations, Seed = 1, Schedule = kind, BlockSeconds = blockS, Model = model };
            var sw = Stopwatch.StartNew();
            double firstBlock = double.NaN, last = 0;
            var levelSeconds = new double[3];
            var levelTokens = new long[3];
            using var job = SamplingJob.Create(bundle, settings, prompt);
            job.Run(new CallbackProgress<JobProgress>(p =>
                {
                    // Time since the previous event belongs to the level reporting now (block decoding is excluded below).
                    double now = sw.Elapsed.TotalSeconds;
                    if (trace) Console.Error.WriteLine($"{now,8:F3} s  level {p.Level} window {p.WindowsDone}/{p.WindowsTotal} codes {p.TokensDone}/{p.TokensTotal}");
                    levelSeconds[p.Level] += now - last;
                    levelTokens[p.Level] = p.TokensDone;
                    last = now;
                }),
                new CallbackProgress<DecodedBlock>(b =>
                {
                    if (double.IsNaN(firstBlock)) firstBlock = sw.Elapsed.TotalSeconds;
                    if (trace) Console.Error.WriteLine($"{sw.Elapsed.TotalSeconds,8:F3} s  block {b.Seq} at {b.SampleOffset}");
                    last = sw.Elapsed.TotalSeconds;                          // decoding time is not a level's sampling time
                }));
            double total = sw.Elapsed.TotalSeconds;
            double Tps(int l) => levelSeconds[l] > 0 ? Math.Round(levelTokens[l] / levelSeconds[l], 1) : 0;
            results.Add(new Measurement(new Dictionary<string, object>
            {
                ["schedule"] = label, ["total_s"] = Math.Round(total, 2), ["first_block_s"] = Math.Round(firstBlock, 2),
                ["ratio"] = Math.Round(firstBlock / total, 3),
                ["tokens_per_s_l2"] = Tps(2), ["tokens_per_s_l1"] = Tps(1), ["tokens_per_s_l0"] = Tps(0),
            }, kind != ScheduleKind.Interleaved || firstBlock / total <= 0.1));
        }
        return results;
    }
}
