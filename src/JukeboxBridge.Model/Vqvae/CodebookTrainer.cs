using TorchSharp;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>The random numbers codebook training draws (injected so tests can replay the reference's draws).</summary>
public interface ICodebookRandom
{
    /// <summary>Unit normals of the given shape (the tiling noise).</summary>
    Tensor Randn(long[] shape);
    /// <summary>A random permutation of 0..n-1 (int64).</summary>
    Tensor Randperm(long n);
}

/// <summary>torch's generator (seed it with torch.manual_seed or pass a Generator).</summary>
public sealed class TorchCodebookRandom : ICodebookRandom
{
    private readonly Generator? _gen;
    public TorchCodebookRandom(Generator? generator = null) => _gen = generator;
    public Tensor Randn(long[] shape) => randn(shape, generator: _gen);
    public Tensor Randperm(long n) => randperm(n, generator: _gen);
}

/// <summary>One training-mode quantisation: codes, straight-through output, commitment loss and metrics.</summary>
public sealed record CodebookStep(Tensor Codes, Tensor Quantised, Tensor CommitLoss, Dictionary<string, Tensor> Metrics) : IDisposable
{
    public void Dispose()
    {
        Codes.Dispose(); Quantised.Dispose(); CommitLoss.Dispose();
        foreach (var m in Metrics.Values) m.Dispose();
    }
}

/// <summary>
/// EMA codebook training with random restarts, as the reference's BottleneckBlock in train mode:
/// first call initialises the codebook from random (tiled) rows; every call quantises against the
/// codebook as it was, then updates k_sum/k_elem by EMA and restarts codes whose k_elem fell below the
/// threshold with fresh random rows (drawn every step). k stays in the block's state dict; k_sum, k_elem,
/// threshold and the init flag are this object's state (save them with <see cref="State"/>).
/// </summary>
public sealed class CodebookTrainer : IDisposable
{
    public BottleneckBlock Block { get; }
    public double Mu { get; }
    public double Threshold { get; private set; } = 1.0;
    public bool Initialised { get; private set; }
    public Tensor KSum { get; private set; }
    public Tensor KElem { get; private set; }
    /// <summary>Where random rows come from; a trainer may swap it per step (seeded per step for exact resume).</summary>
    public ICodebookRandom Random { get; set; }

    public CodebookTrainer(BottleneckBlock block, double mu, ICodebookRandom? random = null)
    {
        Block = block; Mu = mu;
        Random = random ?? new TorchCodebookRandom();
        KSum = zeros_like(block.k);
        KElem = zeros(block.Bins, device: block.k.device);
    }

    /// <summary>Fine-tuning from a trained codebook (the reference's restore_k).</summary>
    public void RestoreK(long? numTokens, double threshold)
    {
        Initialised = true;
        double expected = numTokens is long n ? (double)n / Block.Bins : 1.0;
        using (no_grad())
        {
            Replace(KSum, (Block.k * expected).DetachFromDisposeScope(), t => KSum = t);
            Replace(KElem, (ones(Block.Bins, device: Block.k.device) * expected).DetachFromDisposeScope(), t => KElem = t);
        }
        Threshold = threshold;
    }

    /// <summary>Restores saved trainer state (from a training checkpoint).</summary>
    public void Load(Tensor kSum, Tensor kElem, double threshold, bool initialised)
    {
        using (no_grad())
        {
            Replace(KSum, kSum.clone().DetachFromDisposeScope(), t => KSum = t);
            Replace(KElem, kElem.clone().DetachFromDisposeScope(), t => KElem = t);
        }
        Threshold = threshold; Initialised = initialised;
    }

    /// <summary>x (N, emb, T), usually requiring grad. Updates the codebook in place (no grad).</summary>
    public CodebookStep Step(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], t = x.shape[2];
        var xf = BottleneckBlock.Flatten(x);                                        // (N*T, emb)
        var prenorm = (xf - xf.mean()).norm() / Math.Sqrt(xf.numel());
        using (no_grad())
            if (!Initialised) InitK(xf.detach());
        var (codes, minDist) = Block.Nearest(xf);
        var fit = minDist.mean();
        var q = Block.k.index_select(0, codes);                                     // (N*T, emb) before the update
        var metrics = new Dictionary<string, Tensor> { ["fit"] = fit, ["pn"] = prenorm };
        using (no_grad())
            foreach (var (k, v) in UpdateK(xf.detach(), codes)) metrics[k] = v;
        var commit = (q.detach() - xf).norm().pow(2) / xf.numel();
        var st = xf + (q - xf).detach();
        var outQ = st.view(n, t, Block.EmbWidth).permute(0, 2, 1);
        foreach (var m in metrics.Values) m.MoveToOuterDisposeScope();
        return new CodebookStep(codes.view(n, t).MoveToOuterDisposeScope(), outQ.MoveToOuterDisposeScope(), commit.MoveToOuterDisposeScope(), metrics);
    }

    /// <summary>Rows of x, tiled with small noise when fewer than the codebook size, then the first l_bins of a permutation.</summary>
    private Tensor RandomRows(Tensor xf)
    {
        long d = xf.shape[0], ew = xf.shape[1], bins = Block.Bins;
        var y = xf;
        if (d < bins)
        {
            long repeats = (bins + d - 1) / d;
            y = xf.repeat(repeats, 1);
            using var noise = Random.Randn(y.shape).to(y.device);
            y = y + noise * (0.01 / Math.Sqrt(ew));
        }
        using var perm = Random.Randperm(y.shape[0]).to(y.device);
        return y.index_select(0, perm).narrow(0, 0, bins);
    }

    private void InitK(Tensor xf)
    {
        using var scope = NewDisposeScope();
        var rows = RandomRows(xf);
        Block.k.copy_(rows);
        Replace(KSum, Block.k.clone().DetachFromDisposeScope(), t => KSum = t);
        Replace(KElem, ones(Block.Bins, device: xf.device).DetachFromDisposeScope(), t => KElem = t);
        Initialised = true;
    }

    private Dictionary<string, Tensor> UpdateK(Tensor xf, Tensor codes)
    {
        using var scope = NewDisposeScope();
        long bins = Block.Bins, emb = Block.EmbWidth, rows = xf.shape[0];
        var onehot = zeros(bins, rows, device: xf.device).scatter_(0, codes.view(1, rows), ones(1, rows, device: xf.device)); // (bins, rows)
        var sums = onehot.matmul(xf);                                              // (bins, emb)
        var counts = onehot.sum(-1);                                               // (bins)
        var rand = RandomRows(xf);
        var oldK = Block.k.clone();
        var kSum = KSum * Mu + sums * (1.0 - Mu);
        var kElem = KElem * Mu + counts * (1.0 - Mu);
        var usage = (kElem.view(bins, 1) >= Threshold).to_type(xf.dtype);
        var newK = usage * (kSum.view(bins, emb) / kElem.view(bins, 1)) + (1 - usage) * rand;
        Block.k.copy_(newK);
        Replace(KSum, kSum.DetachFromDisposeScope(), t => KSum = t);
        Replace(KElem, kElem.DetachFromDisposeScope(), t => KElem = t);
        var prob = counts / counts.sum();
        var entropy = -(prob * (prob + 1e-8).log()).sum();
        var usedCurr = (counts >= Threshold).sum();
        var dk = (Block.k - oldK).norm() / Math.Sqrt(bins * emb);
        var r = new Dictionary<string, Tensor> { ["entropy"] = entropy, ["used_curr"] = usedCurr, ["usage"] = usage.sum(), ["dk"] = dk };
        foreach (var v in r.Values) v.MoveToOuterDisposeScope();
        return r;
    }

    private static void Replace(Tensor old, Tensor value, Action<Tensor> set)
    {
        set(value);
        old.Dispose();
    }

    public void Dispose()
    {
        KSum.Dispose();
        KElem.Dispose();
    }
}
