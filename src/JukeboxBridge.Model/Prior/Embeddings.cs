using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Prior;

/// <summary>A learned table (count, W) under the name <c>emb</c> (the reference's SimpleEmbedding).</summary>
public sealed class SimpleEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Embedding emb;

    public SimpleEmbedding(long count, long width, double initScale) : base(nameof(SimpleEmbedding))
    {
        emb = ModelInit.Embedding(count, width);
        using (no_grad()) ModelInit.Normal(emb.weight!, 0, 0.01 * initScale);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids) => emb.forward(ids);
}

/// <summary>
/// Maps a float position in [lo, hi) to one of <c>bins</c> embeddings: bin = floor(bins·(pos−lo)/(hi−lo)), in
/// float32. With an end position, n_time positions are interpolated start + (end−start)·i/n_time.
/// </summary>
public sealed class RangeEmbedding : nn.Module<Tensor, Tensor?, Tensor>
{
    private readonly Embedding emb;
    private readonly long _nTime, _bins;
    private readonly double _lo, _hi;
    private readonly bool _clamp;

    public RangeEmbedding(long nTime, long bins, (double Lo, double Hi) range, long width, double initScale, bool clamp = false) : base(nameof(RangeEmbedding))
    {
        _nTime = nTime; _bins = bins; _lo = range.Lo; _hi = range.Hi; _clamp = clamp;
        emb = ModelInit.Embedding(bins, width);
        using (no_grad()) ModelInit.Normal(emb.weight!, 0, 0.01 * initScale);
        RegisterComponents();
    }

    /// <summary>Bin indices (N, n) for positions (N, 1) [and ends (N, 1)].</summary>
    public Tensor Bins(Tensor start, Tensor? end)
    {
        using var scope = NewDisposeScope();
        var s = start.to_type(ScalarType.Float32);
        Tensor position = s;
        if (end is not null)
        {
            var e = end.to_type(ScalarType.Float32);
            if (_clamp) e = e.clamp(_lo, _hi);
            if (_nTime != 1)
            {
                var interp = arange(0, _nTime, dtype: ScalarType.Float32, device: s.device).view(1, _nTime) / (float)_nTime;
                position = s + (e - s) * interp;
            }
        }
        var normalised = (position - (float)_lo) / (float)(_hi - _lo);
        return (normalised * (float)_bins).floor().to_type(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor start, Tensor? end)
    {
        using var bins = Bins(start, end);
        long max = bins.max().item<long>(), min = bins.min().item<long>();
        if (min < 0 || max >= _bins)
            throw new ArgumentOutOfRangeException(nameof(start), $"position outside the embedding's range [{_lo}, {_hi}) (bin {min}..{max} of {_bins})");
        return emb.forward(bins);
    }
}
