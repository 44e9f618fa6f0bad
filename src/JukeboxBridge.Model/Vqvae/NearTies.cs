using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// Codes are argmin of ||x||² - 2x·k + ||k||² in float32. Where the best two distances are within
/// rounding of each other the winner depends on how the sums were accumulated, so such rows are recomputed with
/// the reference's own float32 rounding (PyTorch 1.13 on CPU with the generic BLAS, as the fixtures were made):
/// the dot products x·k as the reference BLAS sgemm forms them (sequential multiply, then add, over the
/// embedding), the squared norms as torch.sum's vectorised cascade (<see cref="TorchInnerSum"/>). Bit-equal
/// distances then go to the lowest index, as torch.min does. Rows with a clear winner (nearly all) keep the fast
/// matmul result.
/// </summary>
internal static class NearTies
{
    /// <summary>Relative width of the band in which a second code counts as a near tie.</summary>
    private const float RelativeBand = 1e-5f;

    public static void Resolve(Tensor xf, Tensor k, Tensor dist, Tensor sx, Tensor sk, Tensor min, Tensor idx)
    {
        using var scope = NewDisposeScope();
        var (two, _) = dist.topk(2, dim: -1, largest: false, sorted: true);          // (rows, 2)
        var margin = two[.., 1] - two[.., 0];
        var scale = sx.squeeze(-1) + sk.max();                                         // size of the terms
        var rows = (margin <= scale * RelativeBand).nonzero().squeeze(-1);
        long n = rows.shape[0];
        if (n == 0) return;

        var xr = xf.index_select(0, rows).to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var kc = k.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        int emb = (int)k.shape[1], bins = (int)k.shape[0];
        var kk = new float[bins];
        for (int j = 0; j < bins; j++)
        {
            kk[j] = TorchInnerSum.Squares(kc.AsSpan(j * emb, emb));
        }
        var codes = new long[n];
        var dmin = new float[n];
        for (int r = 0; r < n; r++)
        {
            float xx = TorchInnerSum.Squares(xr.AsSpan(r * emb, emb));
            float best = float.PositiveInfinity;
            int bestJ = 0;
            for (int j = 0; j < bins; j++)
            {
                float dot = 0;
                for (int e = 0; e < emb; e++) dot += xr[r * emb + e] * kc[j * emb + e];
                float d = (xx - 2 * dot) + kk[j];
                if (d < best) { best = d; bestJ = j; }                                 // strict: lowest index wins ties
            }
            codes[r] = bestJ;
            dmin[r] = best;
        }
        idx.index_put_(tensor(codes).to(idx.device), rows);
        min.index_put_(tensor(dmin).to_type(min.dtype).to(min.device), rows);
    }
}
