using System.Diagnostics;
using System.Text.Json;
using JukeboxBridge.Model;
using JukeboxBridge.Model.Prior;
using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// prior-sampling: KV-cached ancestral sampling speed on CPU (random weights, no labels), batch by batch, on a quiet
/// machine and beside N busy threads (--load), side by side with OpenAI's reference code (--reference DIR).
/// Shapes: --shape bench (12 layers, width 1024, 4 heads, n_ctx 4096, blocks 64: the README's figures),
/// upsampler (the official level-0/1 upsamplers: 72 layers, width 1920, 1 head, n_ctx 8192, blocks 128) or 1b_lyrics
/// (the 1b_lyrics top prior's transformer: 72 layers, width 2048, 2 heads, n_ctx 6144, blocks 64; its music layers
/// only, attn_order 2). --layers N builds only N of the layers (the official shapes do not fit a quick run); the
/// figures per audio second are extrapolated to the full depth (layer time scales with depth, x_out does not).
/// Memory floor: every step reads every parameter once, so floor_tokens_per_s = batch × bandwidth / parameter bytes.
/// Options: --shape bench --batch 1,4 --tokens 128 --load 0,1 --threads auto|N --layers N --width W --heads H --ctx N
///          --reference DIR (a checkout of openai/jukebox; python3 with torch) --reference-threads 1,CORES
///          --python /usr/bin/python3 --precision fp32|bf16 --device cpu|cuda --ops
/// Threads: auto by default (the cores other processes leave free, as the CLI and the daemon); the reference runs at
/// each of --reference-threads under the same load and its best counts.
/// </summary>
public sealed class PriorSamplingBenchmark : IBenchmark
{
    public string Name => "prior-sampling";
    public string Description => "tokens/s and ms/token of KV-cached prior sampling, quiet and loaded, beside the reference, with the memory floor";

    private sealed record Shape(string Name, int Level, int Width, int Depth, int Heads, int NCtx, int Blocks, double HopSeconds);

    private static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["bench"] = new("bench", 2, 1024, 12, 4, 4096, 64, 128 / 44100.0),
        ["upsampler"] = new("upsampler", 0, 1920, 72, 1, 8192, 128, 8 / 44100.0),
        ["1b_lyrics"] = new("1b_lyrics", 2, 2048, 72, 2, 6144, 64, 128 / 44100.0),
    };

    /// <summary>The README's configuration (what the numbers in README/docs refer to).</summary>
    public static PriorOptions Config => Options(Shapes["bench"], Shapes["bench"].Depth);

    // Built as a top-level prior whatever the shape: an upsampler's conditioner runs once per window, not per token, so
    // the per-token cost is its transformer's (the conditioning it adds at each position is one addition).
    private static PriorOptions Options(Shape s, int depth) => new()
    {
        Level = 2, Levels = 3, NCtx = s.NCtx, Width = s.Width, Depth = depth, Heads = s.Heads, AttnOrder = 2, Blocks = s.Blocks,
        Labels = false, LBins = 2048, RawToTokens = 128, InitScale = 1.0,
    };

    public IReadOnlyList<Measurement> Run(string[] options)
    {
        string Opt(string name, string def) => BenchmarkOptions.Get(options, name, def);
        var shapeName = Opt("--shape", "bench");
        if (!Shapes.TryGetValue(shapeName, out var shape)) throw new ArgumentException($"--shape: one of {string.Join(", ", Shapes.Keys)}");
        shape = shape with
        {
            Width = int.Parse(Opt("--width", shape.Width.ToString())), Heads = int.Parse(Opt("--heads", shape.Heads.ToString())),
            NCtx = int.Parse(Opt("--ctx", shape.NCtx.ToString())),
        };
        int layers = int.Parse(Opt("--layers", Math.Min(shape.Depth, 12).ToString()));
        var batches = Opt("--batch", "1,4").Split(',').Select(int.Parse).ToArray();
        var loads = Opt("--load", "0").Split(',').Select(int.Parse).ToArray();
        int tokens = int.Parse(Opt("--tokens", "128"));
        var threadSetting = TorchThreads.FromEnvironment(Opt("--threads", ""));   // default auto, as the CLI and the daemon
        var refThreads = Opt("--reference-threads", $"1,{Environment.ProcessorCount}").Split(',').Select(int.Parse).Distinct().ToArray();
        string? reference = Opt("--reference", Environment.GetEnvironmentVariable("JUKEBOX_REFERENCE") ?? "") is { Length: > 0 } r ? r : null;
        string python = Opt("--python", File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3");

        var config = Options(shape, layers);
        if (options.Contains("--ops")) OpsProfile.Print(shape.Width);
        manual_seed(0);
        var device = torch.device(Opt("--device", "cpu"));
        using var prior = new SimplePrior(config);
        prior.eval();
        if (device.type != DeviceType.CPU) prior.to(device);
        var precision = Opt("--precision", "fp32");
        string? precisionNote = null;
        if (precision == "bf16")
        {
            // What bfloat16 weights cost in accuracy: teacher-forced logits of 256 random tokens, against float32.
            using var z = randint(0, 2048, new long[] { 1, 256 }, generator: new Generator(7));
            using var g = no_grad();
            using var before = prior.Prior.Forward(z, null, null);
            int converted = prior.Prior.UseBFloat16();
            using var after = prior.Prior.Forward(z, null, null);
            double maxErr = (after - before).abs().max().item<float>(), spread = before.std().item<float>();
            double agree = after.argmax(-1).eq(before.argmax(-1)).to_type(ScalarType.Float32).mean().item<float>();
            precisionNote = $"bf16: {converted} weights converted (CPU bf16: {(JukeboxBridge.Model.Transformers.Precision.CpuHasBf16() ? "native" : "emulated")}); " +
                            $"logits max |bf16 - fp32| {maxErr:G3} (logit std {spread:G3}, {maxErr / spread:P1}), argmax agreement {agree:P1}";
            Console.Error.WriteLine(precisionNote);
        }
        else if (precision != "fp32") throw new ArgumentException("--precision: fp32 or bf16");
        long paramBytes = prior.parameters().Sum(p => p.numel() * p.element_size());
        var (bandwidth, copyBandwidth) = MeasureBandwidth(device);
        double floor = bandwidth / paramBytes;
        int threads = TorchThreads.Use(threadSetting);
        Console.Error.WriteLine($"prior-sampling: {shape.Name}, {layers} of {shape.Depth} layers, width {shape.Width}, {shape.Heads} heads, n_ctx {shape.NCtx}; " +
                                $"{paramBytes / 1e6:F1} MB of parameters, memory bandwidth {bandwidth / 1e9:F2} GB/s read ({copyBandwidth / 1e9:F2} copy) -> floor {floor:F1} tokens/s at batch 1; threads {threadSetting} ({threads} now)");
        var results = new List<Measurement>();
        foreach (int load in loads)
            foreach (int b in batches)
            {
                using var busy = new BusyLoad(load);
                threads = TorchThreads.Use(threadSetting);                      // auto: what the load leaves free
                var opts = new SamplingOptions(Temperature: 1.0, SampleTokens: tokens);
                using (var warm = prior.Sample(b, null, null, null, opts with { SampleTokens = 8 }, new Generator(1))) { }
                var sw = Stopwatch.StartNew();
                using (var z = prior.Sample(b, null, null, null, opts, new Generator(2))) z.sum().item<long>();
                double s = sw.Elapsed.TotalSeconds;

                double tps = b * tokens / s, msPerStep = 1e3 * s / tokens;
                // Full depth: the per-step time is about depth × (layer time); the prior's x_out and embeddings are small beside it.
                double fullStep = s / tokens * shape.Depth / layers;
                var fields = new Dictionary<string, object>
                {
                    ["shape"] = shape.Name, ["precision"] = precision, ["layers"] = layers, ["width"] = shape.Width, ["batch"] = b, ["load"] = load, ["threads"] = threads,
                    ["tokens"] = tokens, ["tokens_per_s"] = Math.Round(tps, 1), ["ms_per_token"] = Math.Round(msPerStep / b, 2),
                    ["ms_per_step"] = Math.Round(msPerStep, 2), ["floor_tokens_per_s"] = Math.Round(floor * b, 1),
                    ["floor_fraction"] = Math.Round(tps / (floor * b), 3),
                    ["s_per_audio_s"] = Math.Round(fullStep / shape.HopSeconds, 1),
                };
                string line = $"  load {load}, batch {b}: {tokens} tokens in {s:F2} s ({tps:F1} tokens/s, {msPerStep:F2} ms per step)";
                if (reference is not null)
                {
                    // The reference at its best thread count under the same load (it has no policy of its own).
                    var runs = refThreads.Select(n => (n, tps: RunReference(python, reference, shape, layers, b, tokens, n, device))).Where(r => r.tps is not null).ToArray();
                    if (runs.Length > 0)
                    {
                        var best = runs.MaxBy(r => r.tps!.Value);
                        double rt = best.tps!.Value;
                        fields["reference_tokens_per_s"] = Math.Round(rt, 1);
                        fields["reference_threads"] = best.n;
                        fields["speedup"] = Math.Round(tps / rt, 2);
                        line += $"; reference {rt:F1} tokens/s with {best.n} thread(s) ({tps / rt:F2}x; {string.Join(", ", runs.Select(r => $"{r.n}: {r.tps:F1}"))})";
                    }
                }
                Console.Error.WriteLine(line);
                results.Add(new Measurement(fields));
            }
        return results;
    }

    /// <summary>Runs benchmarks/reference/prior_sampling.py (OpenAI's code) with the same shape, batch, tokens and threads.</summary>
    private static double? RunReference(string python, string jukebox, Shape shape, int layers, int batch, int tokens, int threads, Device device)
    {
        var script = FindScript();
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--jukebox", jukebox, "--batch", batch.ToString(), "--tokens", tokens.ToString(), "--width", shape.Width.ToString(),
                                  "--depth", layers.ToString(), "--heads", shape.Heads.ToString(), "--ctx", shape.NCtx.ToString(), "--blocks", shape.Blocks.ToString(),
                                  "--attn-order", "2", "--threads", threads.ToString(), "--device", device.type == DeviceType.CPU ? "cpu" : "cuda" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || json is null)
        {
            Console.Error.WriteLine($"  reference failed (exit {p.ExitCode}): {stderr.Result.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        return JsonDocument.Parse(json).RootElement.GetProperty("tokens_per_s").GetDouble();
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "benchmarks", "reference", "prior_sampling.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("benchmarks/reference/prior_sampling.py not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Bytes per second of streaming a 256 MB tensor through a reduction (reads only, as a step reads its weights), best of 8,
    /// and of a copy (read + write) for comparison; the floor uses the read rate.
    /// </summary>
    private static (double Read, double Copy) MeasureBandwidth(Device device)
    {
        using var a = ones(64L << 20, device: device);                      // 256 MB
        using var b = empty_like(a);
        b.copy_(a);
        double read = 0, copy = 0;
        for (int i = 0; i < 8; i++)
        {
            var sw = Stopwatch.StartNew();
            using (var s = a.sum()) s.item<float>();
            read = Math.Max(read, a.numel() * 4.0 / sw.Elapsed.TotalSeconds);
            sw.Restart();
            b.copy_(a);
            copy = Math.Max(copy, 2.0 * a.numel() * 4 / sw.Elapsed.TotalSeconds);
        }
        return (read, copy);
    }

    /// <summary>
    /// N busy loops beside the measurement, until disposed: N `sh` processes spinning where there is a shell (another
    /// process competing for the cores, as a DAW or a build; the auto thread count sees them), else N threads here.
    /// </summary>
    private sealed class BusyLoad : IDisposable
    {
        private volatile bool _stop;
        private readonly Thread[] _threads = [];
        private readonly Process[] _processes = [];

        public BusyLoad(int n)
        {
            if (n <= 0) return;
            if (File.Exists("/bin/sh"))
            {
                _processes = Enumerable.Range(0, n).Select(_ => Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]) { UseShellExecute = false })!).ToArray();
                Thread.Sleep(300);                                              // let them run before anyone measures
                return;
            }
            _threads = Enumerable.Range(0, n).Select(_ => new Thread(() => { long x = 0; while (!_stop) x++; }) { IsBackground = true }).ToArray();
            foreach (var t in _threads) t.Start();
        }

        public void Dispose()
        {
            _stop = true;
            foreach (var t in _threads) t.Join();
            foreach (var p in _processes) { try { p.Kill(); p.WaitForExit(); } catch (InvalidOperationException) { } p.Dispose(); }
        }
    }
}
