using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Tests;

/// <summary>Every bottleneck_train case: EMA codebook updates with random restarts, replaying the reference's draws.</summary>
[Trait("Category", "Parity")]
[Trait("Area", "VQVAE")]
public class BottleneckTrainParityTests
{
    private const string Kind = "bottleneck_train";
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("vqvae", Kind);

    /// <summary>Hands out a step's recorded draws in call order, checking each is the kind and size asked for.</summary>
    private sealed class ReplayRandom : ICodebookRandom
    {
        private readonly Queue<StoredTensor> _draws;
        public ReplayRandom(IEnumerable<StoredTensor> draws) => _draws = new Queue<StoredTensor>(draws);
        public int Remaining => _draws.Count;
        public void Add(IEnumerable<StoredTensor> d) { foreach (var t in d) _draws.Enqueue(t); }
        private StoredTensor Next(string kind, long[] shape)
        {
            Assert.True(_draws.Count > 0, $"the port drew {kind} [{string.Join(",", shape)}] but the reference drew nothing more");
            var t = _draws.Dequeue();
            Assert.True(t.Name.EndsWith(kind), $"the port drew {kind}, the reference {t.Name}");
            Assert.Equal(shape, t.Shape);
            return t;
        }
        public Tensor Randn(long[] shape) => Next("randn_like", shape).ToTorch(ScalarType.Float32);
        public Tensor Randperm(long n) => Next("randperm", new[] { n }).ToTorch(ScalarType.Int64);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Ema_updates_restarts_metrics_and_gradients_match(string name)
    {
        var c = FixtureCases.Get("vqvae", Kind, name);
        using var f = CheckpointFile.Open(c.TensorPath);
        var ctor = c.Json.GetProperty("constructor");
        var tolJ = c.Json.GetProperty("tolerance");
        var tol = new Tolerance(tolJ.GetProperty("float_rtol").GetDouble(), 0);
        double atol = tolJ.GetProperty("float_atol").GetDouble();
        void Close(Tensor got, string key) => TensorAssert.Close(got, f[key], tol with { AtolRelToMaxAbs = 0 }, key, atol);

        using var block = new BottleneckBlock(ctor.GetProperty("k_bins").GetInt32(), ctor.GetProperty("emb_width").GetInt32());
        var random = new ReplayRandom(Array.Empty<StoredTensor>());
        using var trainer = new CodebookTrainer(block, ctor.GetProperty("mu").GetDouble(), random);
        var steps = c.Json.GetProperty("steps").EnumerateArray().ToList();
        Assert.NotEmpty(steps);
        foreach (var step in steps)
        {
            string p = $"step{step.GetProperty("step").GetInt32()}/";
            using var scope = NewDisposeScope();
            if (step.GetProperty("restore_k").ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                Close(block.k, p + "restore_k_in/k");
                var r = step.GetProperty("restore_k");
                trainer.RestoreK(r.GetProperty("num_tokens").GetInt64(), r.GetProperty("threshold").GetDouble());
            }
            Close(block.k, p + "before/k");
            if (f.TryGet(p + "before/k_sum", out _)) { Close(trainer.KSum, p + "before/k_sum"); Close(trainer.KElem, p + "before/k_elem"); }
            random.Add(f.Tensors.Where(t => t.Name.StartsWith(p + "draws/")).OrderBy(t => t.Name, StringComparer.Ordinal));

            var x = f[p + "x"].ToTorch().requires_grad_(true);
            var res = trainer.Step(x);
            Assert.Equal(0, random.Remaining);
            Close(res.Codes, p + "x_l");
            Close(res.Quantised, p + "x_d");
            Close(res.CommitLoss, p + "commit_loss");
            foreach (var m in f.Tensors.Where(t => t.Name.StartsWith(p + "metrics/")))
                Close(res.Metrics[m.Name[(p + "metrics/").Length..]].to_type(ScalarType.Float32), m.Name);
            (res.CommitLoss + (res.Quantised * f[p + "probe"].ToTorch()).sum()).backward();
            Close(x.grad!, p + "grad_x");
            Close(block.k, p + "after/k");
            Close(trainer.KSum, p + "after/k_sum");
            Close(trainer.KElem, p + "after/k_elem");
        }

        // Exact ties go to the lowest code index.
        using var tie = new BottleneckBlock((int)f["ties/k"].Shape[0], (int)f["ties/k"].Shape[1]);
        using (no_grad()) tie.k.copy_(f["ties/k"].ToTorch());
        var (codes, _) = tie.Nearest(f["ties/x"].ToTorch());
        TensorAssert.Close(codes, f["ties/x_l"], tol, "ties/x_l");
    }
}
