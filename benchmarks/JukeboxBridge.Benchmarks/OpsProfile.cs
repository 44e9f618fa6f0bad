using System.Diagnostics;
using static TorchSharp.torch;

namespace JukeboxBridge.Benchmarks;

/// <summary>
/// prior-sampling --ops: what one KV-cached token costs, op by op, on this machine: the prior's weight shapes at
/// 1 and 4 rows (cache-hot), the product layouts with weights streamed from DRAM (fp32 and bf16), the model's own
/// Conv1D from DRAM, and a tiny op (TorchSharp's per-call overhead); in ms and in GB/s of weight read.
/// </summary>
public static class OpsProfile
{
    public static void Print(long width)
    {
        long s = width / 4;
        foreach (var (k, n, name) in new[] { (width, 3 * s, "c_attn"), (s, width, "attn c_proj"), (width, width, "c_fc"), (width, width, "mlp c_proj"), (width, 2048L, "x_out") })
        {
            using var w = randn(k, n);
            using var b = zeros(n);
            foreach (long m in new[] { 1L, 4L })
            {
                using var x = randn(m, k);
                double best = double.MaxValue;
                for (int rep = 0; rep < 5; rep++)
                {
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < 50; i++) addmm(b, x, w, 1, 1).Dispose();
                    best = Math.Min(best, sw.Elapsed.TotalMilliseconds / 50);
                }
                Console.Error.WriteLine($"  {name,-12} ({k}x{n}) batch {m}: {best:F3} ms, {k * n * 4 / (best / 1e3) / 1e9:F1} GB/s of weights");
            }
        }
        {
            // DRAM-bound: 48 distinct weights (192 MB at width 1024), each used once per sweep.
            var ws = Enumerable.Range(0, 48).Select(_ => randn(width, width)).ToArray();
            var wts = ws.Select(q => q.t().contiguous()).ToArray();
            using var b = zeros(width);
            var wsb = ws.Select(q => q.to_type(ScalarType.BFloat16)).ToArray();
            var wtsb = wts.Select(q => q.to_type(ScalarType.BFloat16)).ToArray();
            using var bb = b.to_type(ScalarType.BFloat16);
            foreach (long m in new[] { 1L, 2L, 4L })
            {
                using var x = randn(m, width);
                using var xv = randn(width);
                using var xb = x.to_type(ScalarType.BFloat16);
                void Sweep(string name, Func<int, Tensor> f)
                {
                    double best = double.MaxValue;
                    for (int rep = 0; rep < 5; rep++)
                    {
                        var sw = Stopwatch.StartNew();
                        for (int i = 0; i < ws.Length; i++) f(i).Dispose();
                        best = Math.Min(best, sw.Elapsed.TotalMilliseconds / ws.Length);
                    }
                    Console.Error.WriteLine($"  DRAM batch {m} {name,-26}: {best:F3} ms, {width * width * 4 / (best / 1e3) / 1e9:F1} GB/s");
                }
                Sweep("addmm(b, x, W (K,N))", i => addmm(b, x, ws[i], 1, 1));
                Sweep("addmm(b, x, Wt.t())", i => addmm(b, x, wts[i].t(), 1, 1));
                if (m == 1) Sweep("addmv(b, Wt, x)", i => addmv(b, wts[i], xv, 1, 1));
                Sweep("addmm(b, Wt, x.t())", i => addmm(b.unsqueeze(1), wts[i], x.t(), 1, 1));
                Sweep("bf16 addmm(b, x, W (K,N))", i => addmm(bb, xb, wsb[i], 1, 1));
                Sweep("bf16 addmm(b, Wt, x.t())", i => addmm(bb.unsqueeze(1), wtsb[i], xb.t(), 1, 1));
                Sweep("bf16 linear(x, Wt)", i => nn.functional.linear(xb, wtsb[i], bb));
            }
            foreach (var q in ws.Concat(wts)) q.Dispose();
        }
        {
            // The model's own Conv1D (what a step runs), DRAM-bound: 24 layers' worth of each shape.
            foreach (var (k, n, name) in new[] { (width, 3 * s, "c_attn"), (s, width, "attn c_proj"), (width, width, "mlp c_fc/c_proj") })
            {
                var mods = Enumerable.Range(0, 24 * 4 * 1024 * 1024 / (int)(k * n)).Select(_ => new JukeboxBridge.Model.Transformers.Conv1D(k, n)).ToArray();
                foreach (long m in new[] { 1L, 4L })
                {
                    using var x = randn(m, 1, k);
                    double best = double.MaxValue;
                    for (int rep = 0; rep < 5; rep++)
                    {
                        var sw = Stopwatch.StartNew();
                        foreach (var mod in mods) mod.forward(x).Dispose();
                        best = Math.Min(best, sw.Elapsed.TotalMilliseconds / mods.Length);
                    }
                    Console.Error.WriteLine($"  Conv1D {name,-16} ({k}x{n}) batch {m}: {best:F3} ms, {k * n * 4 / (best / 1e3) / 1e9:F1} GB/s");
                }
                foreach (var mod in mods) mod.Dispose();
            }
        }
        using var t = randn(1, width);
        var sw2 = Stopwatch.StartNew();
        for (int i = 0; i < 20000; i++) (t + t).Dispose();
        Console.Error.WriteLine($"  tiny add (1x{width}): {sw2.Elapsed.TotalMilliseconds / 20000 * 1000:F1} us per op");
    }
}
