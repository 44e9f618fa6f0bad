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
/// With --preview (default model, 6 s prompt, the bundle's length, 3 variations): the full job of N variations, the
/// preview of N (top level only) and the upsample of one previewed variation, each timed to its first block and to its
/// end. Goals: all previews within 20% of the full job's time, and preview + one upsample faster than the full job.
/// </summary>
public sealed class StreamingBenchmark : IBenchmark
{
    public string Name => "streaming";
    public string Description => "time to first streamed block vs total, interleaved vs level-by-level schedule";

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        if (options.Contains("--preview")) return RunPreview(options);
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

    private static IReadOnlyList<Measurement> RunPreview(string[] options)
    {
        string model = BenchmarkOptions.Get(options, "--model", "default");
        using var bundle = ModelBundle.Load(ModelBundle.ResolveSpec(model));
        double promptS = double.Parse(BenchmarkOptions.Get(options, "--prompt-seconds", "6"));
        double seconds = double.Parse(BenchmarkOptions.Get(options, "--seconds", bundle.Sampling.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        int variations = int.Parse(BenchmarkOptions.Get(options, "--variations", bundle.Sampling.Variations.ToString()));
        var prompt = AudioClip.Mono(44100, ToneAnalysis.Sine(44100, 220, 0.4, (int)(44100 * promptS)));
        var baseSettings = new JobSettings { Seconds = seconds, Variations = variations, Seed = 1, Model = model };
        Console.Error.WriteLine("streaming --preview: warming up ...");
        using (var warm = SamplingJob.Create(bundle, baseSettings with { Seconds = 0.5, Variations = 1 }, prompt, idsDir: bundle.IdsDir)) warm.Run();

        (double First, double Total) Time(SamplingJob job)
        {
            var sw = Stopwatch.StartNew();
            double first = double.NaN;
            job.Run(blocks: new CallbackProgress<DecodedBlock>(_ => { if (double.IsNaN(first)) first = sw.Elapsed.TotalSeconds; }));
            return (first, sw.Elapsed.TotalSeconds);
        }

        Console.Error.WriteLine($"streaming --preview: full job, {variations} variation(s) of {seconds} s after a {promptS} s prompt ...");
        (double First, double Total) full;
        using (var job = SamplingJob.Create(bundle, baseSettings, prompt, idsDir: bundle.IdsDir)) full = Time(job);
        Console.Error.WriteLine($"streaming --preview: preview of {variations} ...");
        using var preview = SamplingJob.Create(bundle, baseSettings with { Quality = JobQuality.Preview }, prompt, idsDir: bundle.IdsDir);
        var pre = Time(preview);
        Console.Error.WriteLine("streaming --preview: upsample of variation 1 ...");
        using var codes = preview.State.ToCodesFile(bundle.Source, bundle.Vqvae.HopLengths, bundle.Vqvae.Options.SampleRate, preview.Settings.ToJson());
        (double First, double Total) up;
        using (var job = SamplingJob.Create(bundle, JobSettings.UpsampleOf(preview.Settings, codes.PromptSeconds, "preview", 0), codes: codes, idsDir: bundle.IdsDir)) up = Time(job);

        Measurement Row(string job, int n, (double First, double Total) t, bool passed) => new(new Dictionary<string, object>
        {
            ["job"] = job, ["variations"] = n, ["first_block_s"] = Math.Round(t.First, 2), ["total_s"] = Math.Round(t.Total, 2),
            ["of_full"] = Math.Round(t.Total / full.Total, 3),
        }, passed);
        return
        [
            Row("full", variations, full, true),
            Row("preview", variations, pre, pre.Total <= 0.2 * full.Total),
            Row("upsample 1", 1, up, true),
            Row("preview + upsample 1", 1, (pre.Total + up.First, pre.Total + up.Total), pre.Total + up.Total < full.Total),
        ];
    }
}
