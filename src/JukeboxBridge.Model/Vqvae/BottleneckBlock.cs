using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>What quantising one level gives: codes, dequantised latents and the quantiser's metrics.</summary>
public sealed record QuantiseResult(Tensor Codes, Tensor Quantised, Tensor CommitLoss, Tensor Fit, Tensor Prenorm) : IDisposable
{
    public void Dispose()
    {
        Codes.Dispose(); Quantised.Dispose(); CommitLoss.Dispose(); Fit.Dispose(); Prenorm.Dispose();
    }
}

/// <summary>
/// Vector quantiser of one level: codebook buffer <c>k</c> (l_bins, emb). Nearest code by the
/// reference's expanded distance ||x||² - 2 x·k + ||k||² in float32, ties to the lowest index.
/// Training state (k_sum, k_elem, threshold) lives in <see cref="CodebookTrainer"/>, not in the state dict.
/// </summary>
public sealed class BottleneckBlock : Module<Tensor, Tensor>
{
    public Tensor k;
    public int Bins { get; }
    public int EmbWidth { get; }

    public BottleneckBlock(int bins, int embWidth) : base(nameof(BottleneckBlock))
    {
        Bins = bins; EmbWidth = embWidth;
        k = zeros(bins, embWidth); // as the reference: filled by loading, or from data on the first training step
        RegisterComponents();
    }

    /// <summary>
    /// (rows, emb) -> (codes (rows), min distance (rows)). Distances by matmul; rows whose two best codes
    /// are closer than float32 rounding can separate are re-decided with the reference's rounding
    /// (see <see cref="NearTies"/>), so codes match the reference exactly.
    /// </summary>
    public (Tensor Codes, Tensor MinDistance) Nearest(Tensor xf)
    {
        using var scope = NewDisposeScope();
        var kw = k.t();                                                     // (emb, bins)
        var sk = kw.square().sum(0, keepdim: true);                           // (1, bins)
        long rows = xf.shape[0];
        var codes = new List<Tensor>();
        var mins = new List<Tensor>();
        // Row chunks keep the (rows, bins) distance matrix small (10 s at level 0 would be 450 MB at once).
        for (long r0 = 0; r0 < rows; r0 += RowChunk)
        {
            var x = xf.narrow(0, r0, Math.Min(RowChunk, rows - r0));
            var sx = x.square().sum(-1, keepdim: true);                       // (r, 1)
            var dist = sx - ScalarMath.Mul(x.matmul(kw), 2) + sk;                          // (r, bins), the reference's expansion and order
            var (min, idx) = dist.min(-1);
            if (Bins > 1) NearTies.Resolve(x, k, dist, sx, sk, min, idx);
            codes.Add(idx);
            mins.Add(min);
        }
        var allCodes = codes.Count == 1 ? codes[0] : cat(codes, 0);
        var allMins = mins.Count == 1 ? mins[0] : cat(mins, 0);
        return (allCodes.MoveToOuterDisposeScope(), allMins.MoveToOuterDisposeScope());
    }

    private const long RowChunk = 8192;

    /// <summary>x (N, emb, T) -> codes (N, T) int64.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (codes, _) = Nearest(Flatten(x));
        return codes.view(x.shape[0], x.shape[2]).MoveToOuterDisposeScope();
    }

    /// <summary>Codes (N, T) -> dequantised latents (N, emb, T).</summary>
    public Tensor Dequantise(Tensor codes)
    {
        using var scope = NewDisposeScope();
        var q = k.index_select(0, codes.reshape(-1)).view(codes.shape[0], codes.shape[1], EmbWidth); // (N, T, emb)
        return q.permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Eval-mode quantisation with the reference's metrics (fit, prenorm, commitment loss).</summary>
    public QuantiseResult Quantise(Tensor x)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], t = x.shape[2];
        var xf = Flatten(x);                                                 // (N*T, emb)
        var prenorm = (xf - xf.mean()).norm() / Math.Sqrt(xf.numel());
        var (codes, minDist) = Nearest(xf);
        var fit = minDist.mean();
        var q = k.index_select(0, codes);                                    // (N*T, emb)
        var commit = (q.detach() - xf).pow(2).sum() / xf.numel();
        // Straight-through: forward value q, gradient to x unchanged.
        var st = xf + (q - xf).detach();
        var outQ = st.view(n, t, EmbWidth).permute(0, 2, 1).contiguous();
        return new QuantiseResult(codes.view(n, t).MoveToOuterDisposeScope(), outQ.MoveToOuterDisposeScope(),
            commit.MoveToOuterDisposeScope(), fit.MoveToOuterDisposeScope(), prenorm.MoveToOuterDisposeScope());
    }

    /// <summary>(N, emb, T) -> (N*T, emb), row n*T + t.</summary>
    public static Tensor Flatten(Tensor x) => x.permute(0, 2, 1).reshape(-1, x.shape[1]);
}

/// <summary>The per-level quantisers (keys bottleneck.level_blocks.L.k).</summary>
public sealed class Bottleneck : Module
{
    public readonly TorchSharp.Modules.ModuleList<BottleneckBlock> level_blocks;

    public Bottleneck(int levels, int bins, int embWidth) : base(nameof(Bottleneck))
    {
        level_blocks = new TorchSharp.Modules.ModuleList<BottleneckBlock>();
        for (int l = 0; l < levels; l++) level_blocks.Add(new BottleneckBlock(bins, embWidth));
        RegisterComponents();
    }
}
